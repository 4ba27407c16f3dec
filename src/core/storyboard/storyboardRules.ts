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
  frameReferenceProblems(doc, videos, sink);
}

const FRAME_FIELDS = ['image', 'end_image'] as const;

/** The `from` of a frame reference at a video's `image` or `end_image`, when it has that shape. */
function frameSource(value: unknown): string | undefined {
  return isObject(value) && typeof value['from'] === 'string' ? value['from'] : undefined;
}

/**
 * Frame references (`"image": { "from": "hero", "frame": "last" }`): the source is another video of this file, and
 * no video waits, through its frames, for itself (it could never be rendered: its source would need it first).
 */
function frameReferenceProblems(doc: StoryboardDocument, videos: unknown[], sink: ProblemSink): void {
  const names = videos.map((video) => (isObject(video) && typeof video['name'] === 'string' ? video['name'] : undefined));
  const known = [...new Set(names.filter((n): n is string => n !== undefined))];
  const edges = new Map<string, Array<{ from: string; path: (string | number)[] }>>();
  videos.forEach((video, index) => {
    if (!isObject(video)) return;
    const name = names[index];
    for (const field of FRAME_FIELDS) {
      const from = frameSource(video[field]);
      if (from === undefined) continue;
      const path = ['videos', index, field, 'from'];
      if (from === name) {
        sink.add(() => doc.problem('frame-self-reference', path, `video "${name}" cannot take its ${field === 'image' ? 'first' : 'last'} frame from itself: name another video, or give an image`));
        continue;
      }
      if (!known.includes(from)) {
        sink.add(() => {
          const suggestion = didYouMean(from, known.filter((n) => n !== name));
          const range = doc.rangeOf(path);
          return doc.problem(
            'unknown-frame-source',
            path,
            suggestion ? `there is no video "${from}" in this file to take a frame from: did you mean "${suggestion}"?` : `there is no video "${from}" in this file to take a frame from; its videos: ${known.join(', ')}`,
            { fixes: suggestion ? [{ title: `Change to "${suggestion}"`, edits: [{ ...range, newText: JSON.stringify(suggestion) }] }] : [] },
          );
        });
        continue;
      }
      if (name !== undefined) edges.set(name, [...(edges.get(name) ?? []), { from, path }]);
    }
  });
  // Each circle once, reported at the reference of its first video in the file, with the whole circle spelled out.
  const reported = new Set<string>();
  for (const start of known) {
    const circle = circleFrom(start, edges);
    if (!circle || circle.some((n) => reported.has(n))) continue;
    circle.forEach((n) => reported.add(n));
    const first = circle[0]!;
    const path = edges.get(first)!.find((edge) => edge.from === circle[1 % circle.length])!.path;
    const chain = [...circle, first].map((n) => `"${n}"`).join(' → ');
    sink.add(() => doc.problem('frame-cycle', path, `these videos take frames from each other in a circle, so none can be rendered first: ${chain}; start one of them from an image instead`));
  }
}

/** The circle of frame references through `start`, in order from `start`, if there is one. */
function circleFrom(start: string, edges: ReadonlyMap<string, ReadonlyArray<{ from: string }>>): string[] | undefined {
  const trail: string[] = [];
  const seen = new Set<string>();
  const walk = (name: string): string[] | undefined => {
    if (name === start && trail.length > 0) return [...trail];
    if (seen.has(name)) return undefined;
    seen.add(name);
    trail.push(name);
    for (const edge of edges.get(name) ?? []) {
      const found = walk(edge.from);
      if (found) return found;
    }
    trail.pop();
    return undefined;
  };
  return walk(start);
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

  if (video['loop'] === true) {
    if (video['image'] === undefined) {
      sink.add(() => doc.problem('loop-frames', at('loop'), `${label} has "loop": true but no image: a loop starts and ends on its first frame, so it needs "image"`, { target: 'key' }));
    } else if (video['end_image'] !== undefined) {
      sink.add(() => doc.problem('loop-frames', at('end_image'), `${label} has "loop": true and an end_image: a loop ends on its first frame; remove end_image or "loop"`, { target: 'key' }));
    }
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
