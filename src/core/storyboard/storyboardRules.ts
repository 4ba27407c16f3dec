import { DURATION_MAX, DURATION_MIN } from '../api/apiSchemas';
import { didYouMean } from '../text/didYouMean';
import type { ProblemSink } from './problemSink';
import type { Fix, StoryboardDocument } from './storyboardDocument';

// The rules of docs/storyboard-format.md that the schema alone cannot say, checked on the parsed value even when parts
// of it have the wrong shape, so that one pass reports everything. Each problem sits at the place to edit.

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const isWholeNumber = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

/** The rules' problems, into `sink`: each is made only while the sink has room (see ProblemSink). */
export function ruleProblems(doc: StoryboardDocument, sink: ProblemSink): void {
  const root = doc.value;
  if (!isObject(root)) return;
  const videos = Array.isArray(root['videos']) ? root['videos'] : [];
  const elements = Array.isArray(root['elements']) ? root['elements'] : [];
  const elementNames = new Set(elements.flatMap((e) => (isObject(e) && typeof e['name'] === 'string' ? [e['name']] : [])));

  duplicateNames(doc, 'videos', videos, sink);
  duplicateNames(doc, 'elements', elements, sink);
  videos.forEach((video, index) => {
    if (isObject(video)) videoProblems(doc, video, index, elementNames, sink);
  });
}

function videoProblems(doc: StoryboardDocument, video: Json, index: number, elementNames: ReadonlySet<string>, sink: ProblemSink): void {
  const at = (...rest: (string | number)[]) => ['videos', index, ...rest];
  const label = typeof video['name'] === 'string' ? `video "${video['name']}"` : `video ${index + 1}`;
  const shots = video['shots'];
  const prompt = video['prompt'];
  const hasPrompt = typeof prompt === 'string' && prompt.trim() !== '';

  if (Array.isArray(shots)) {
    const durations = shots.map((shot) => (isObject(shot) ? shot['duration'] : undefined));
    if (durations.every(isWholeNumber)) {
      const total = durations.reduce((sum, d) => sum + d, 0);
      const duration = video['duration'];
      const inRange = total >= DURATION_MIN && total <= DURATION_MAX;
      if (typeof duration === 'number' && duration !== total) {
        const range = doc.rangeOf(at('duration'));
        sink.add(() =>
          doc.problem(
            'shot-sum',
            at('duration'),
            inRange
              ? `the shots add up to ${total} s but duration is ${duration} s: set duration to ${total}, or change the shots`
              : `the shots add up to ${total} s but duration is ${duration} s, and a video is ${DURATION_MIN} to ${DURATION_MAX} s: change the shots`,
            { fixes: inRange ? [{ title: `Set duration to ${total} (the shots' sum)`, edits: [{ ...range, newText: String(total) }] }] : [] },
          ),
        );
      } else if (duration === undefined && !inRange && shots.length > 0) {
        sink.add(() =>
          doc.problem('shot-sum', at('shots'), `the shots add up to ${total} s; a video is ${DURATION_MIN} to ${DURATION_MAX} s`, {
            target: 'key',
          }),
        );
      }
    }
  } else if (shots === 'auto') {
    if (!hasPrompt) {
      sink.add(() =>
        doc.problem('missing-prompt', at('shots'), `${label} has shots "auto" but no prompt: the model plans the shots from the prompt`, {
          target: 'key',
        }),
      );
    }
  } else if (!hasPrompt && (prompt === undefined || typeof prompt === 'string')) {
    sink.add(() =>
      doc.problem(
        'missing-prompt',
        prompt === undefined ? at() : at('prompt'),
        `${label} needs a prompt (or a list of shots)`,
        { target: prompt === undefined ? 'anchor' : 'value' },
      ),
    );
  }

  if (video['end_image'] !== undefined && video['image'] === undefined) {
    sink.add(() => doc.problem('missing-image', at('end_image'), 'end_image needs image: a last frame needs a first frame', { target: 'key' }));
  }

  const listed = Array.isArray(video['elements']) ? video['elements'] : [];
  listed.forEach((name, i) => {
    if (typeof name !== 'string' || elementNames.has(name)) return;
    sink.add(() => {
      const defined = [...elementNames];
      const suggestion = didYouMean(name, defined);
      const range = doc.rangeOf(at('elements', i));
      const where = defined.length ? `; defined: ${defined.join(', ')}` : '; this file defines no elements';
      return doc.problem(
        'unknown-element',
        at('elements', i),
        suggestion ? `element "${name}" is not defined in this file: did you mean "${suggestion}"?` : `element "${name}" is not defined in this file${where}`,
        { fixes: suggestion ? [{ title: `Change to "${suggestion}"`, edits: [{ ...range, newText: JSON.stringify(suggestion) }] }] : [] },
      );
    });
  });

  const prompts: Array<{ path: (string | number)[]; value: unknown }> = [{ path: at('prompt'), value: prompt }];
  if (Array.isArray(shots)) shots.forEach((shot, i) => prompts.push({ path: at('shots', i, 'prompt'), value: isObject(shot) ? shot['prompt'] : undefined }));
  for (const { path, value } of prompts) {
    // Most prompts name no element: look at the value before asking the tree for the node and its raw text.
    if (typeof value !== 'string' || !value.includes('<<<element_')) continue;
    const node = doc.node(path);
    if (!node || typeof node.value !== 'string') continue;
    const raw = doc.text.slice(node.offset, node.offset + node.length);
    for (const match of raw.matchAll(/<<<element_(\d+)>>>/g)) {
      const n = Number(match[1]);
      if (n >= 1 && n <= listed.length) continue;
      const message =
        n === 0
          ? `${match[0]}: elements count from 1 (<<<element_1>>> is the first in "elements")`
          : `the prompt names ${match[0]} but ${label} lists ${listed.length} element${listed.length === 1 ? '' : 's'} in "elements"`;
      sink.add(() => doc.problem('element-reference', path, message, { range: { offset: node.offset + match.index!, length: match[0].length } }));
    }
  }
}

function duplicateNames(doc: StoryboardDocument, list: 'videos' | 'elements', items: unknown[], sink: ProblemSink): void {
  const names = items.map((item) => (isObject(item) && typeof item['name'] === 'string' ? item['name'] : undefined));
  const taken = new Set(names.filter((n): n is string => n !== undefined));
  const firstIndex = new Map<string, number>();
  names.forEach((name, index) => {
    if (name === undefined) return;
    const first = firstIndex.get(name);
    if (first === undefined) {
      firstIndex.set(name, index);
      return;
    }
    // Made only while the sink has room: finding a free name looks through the names taken, and a file with the
    // same name a hundred thousand times must not make that a hundred thousand times.
    sink.add(() => {
      const path = [list, index, 'name'];
      const firstLine = doc.positionAt(doc.rangeOf([list, first, 'name']).offset).line + 1;
      const fixes: Fix[] = [];
      const renamed = freeName(name, taken);
      if (list === 'videos' || renamed.length <= 20) {
        taken.add(renamed);
        fixes.push({ title: `Rename to "${renamed}"`, edits: [{ ...doc.rangeOf(path), newText: JSON.stringify(renamed) }] });
      }
      const what = list === 'videos' ? 'video' : 'element';
      return doc.problem('duplicate-name', path, `another ${what} is already named "${name}" (line ${firstLine}); names must be unique`, { fixes });
    });
  });
}

function freeName(name: string, taken: Set<string>): string {
  const stem = name.replace(/-\d+$/, '');
  for (let i = 2; ; i++) {
    const candidate = `${stem}-${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}
