import { lstat } from 'node:fs/promises';
import * as path from 'node:path';
import { ASPECT_RATIOS } from '../api/apiSchemas';
import { checkInsideRoot, type BoundaryCheck } from '../fs/workspaceBoundary';
import { frameMisfit, frameMisfitMessage } from '../images/frameFit';
import { checkImageFile } from '../images/imageCheck';
import { TAKES_FOLDER } from '../takes/takeLayout';
import { storyboardOutputDir } from '../records/videoLocations';
import type { ProblemSink } from './problemSink';
import type { JsonPath, Problem, StoryboardDocument } from './storyboardDocument';
import { VIDEO_NAME_PATTERN } from './storyboardSchema';

// The rules of docs/storyboard-format.md that need the file system: images exist, are usable frames, and stay inside the
// workspace; the storyboard, its output folder and the videos and sidecars saved there stay inside it too. "Inside"
// is decided on real paths (workspaceBoundary.ts): a symbolic link that leads out is refused, and named.

export interface StoryboardLocation {
  /** Absolute path of the `.kling.json` file. */
  storyboardPath: string;
  /** Absolute path of the workspace folder that holds it: paths may not lead outside it. */
  workspaceRoot: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Images and saved files looked at together: enough to overlap the waits, few enough for any open-file limit. */
const FILE_CHECKS_AT_ONCE = 8;

export { storyboardLocations, storyboardOutputDir } from '../records/videoLocations';

/** The problems that need the file system, into `sink`; it stops looking at files once the sink is full. */
export async function fileProblems(doc: StoryboardDocument, location: StoryboardLocation, sink: ProblemSink): Promise<void> {
  const root = doc.value;
  if (!isObject(root)) return;
  const { storyboardPath, workspaceRoot } = location;
  const base = path.dirname(storyboardPath);
  const inside = (target: string) => checkInsideRoot(target, workspaceRoot);

  const self = await inside(storyboardPath);
  if (!self.inside) {
    sink.add(() => doc.problem('path-outside-workspace', [], `this storyboard leads outside the workspace (${workspaceRoot}): ${self.reason}`));
    // Every relative path in it would be judged from a place outside the workspace: nothing more to look at.
    return;
  }

  const output = typeof root['output'] === 'string' && root['output'] !== '' ? root['output'] : undefined;
  const outputPath: JsonPath = output !== undefined ? ['output'] : [];
  const lexical = output !== undefined ? escapeReason(output, base, workspaceRoot, 'output') : undefined;
  let realOutput: string | undefined;
  if (lexical) {
    sink.add(() => doc.problem('path-outside-workspace', outputPath, lexical));
  } else {
    const outputDir = storyboardOutputDir(storyboardPath, { output });
    const check = await inside(outputDir);
    if (check.inside) realOutput = check.realPath;
    else {
      const what = output !== undefined ? `output ${JSON.stringify(output)}` : `the output folder ${displayPath(workspaceRoot, outputDir)} (named after this file)`;
      sink.add(() => doc.problem('path-outside-workspace', outputPath, `${what} leads outside the workspace: ${check.reason}`, { target: output !== undefined ? 'value' : 'anchor' }));
    }
  }

  // The records' folder: checked as the output folder is (a link that leads out is refused, and named).
  const metadata = typeof root['metadata'] === 'string' && root['metadata'] !== '' ? root['metadata'] : undefined;
  let realRecords = realOutput;
  if (metadata !== undefined) {
    const metadataLexical = escapeReason(metadata, base, workspaceRoot, 'metadata');
    realRecords = undefined;
    if (metadataLexical) sink.add(() => doc.problem('path-outside-workspace', ['metadata'], metadataLexical));
    else {
      const check = await inside(path.resolve(base, metadata));
      if (!check.inside) sink.add(() => doc.problem('path-outside-workspace', ['metadata'], `metadata ${JSON.stringify(metadata)} leads outside the workspace: ${check.reason}`));
      else {
        realRecords = check.realPath;
        const relative = realOutput !== undefined ? path.relative(realOutput, check.realPath) : '..';
        if (relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)) {
          sink.add(() =>
            doc.problem('metadata-in-output', ['metadata'], `metadata ${JSON.stringify(metadata)} is inside the output folder, so the records would be published with the videos; choose a folder beside it (for example ".kling")`, { severity: 'warning' }),
          );
        }
      }
    }
  }

  const checks: Array<() => Promise<void>> = [];
  const image = (p: JsonPath, value: unknown, label: string, aspectRatio?: string) => {
    if (typeof value === 'string' && value !== '') checks.push(() => imageProblem(doc, p, value, label, location, sink, aspectRatio));
  };
  const defaults = isObject(root['defaults']) ? root['defaults'] : {};
  (Array.isArray(root['videos']) ? root['videos'] : []).forEach((video, i) => {
    if (!isObject(video)) return;
    const aspectRatio = aspectRatioOf(video['aspect_ratio'] ?? defaults['aspect_ratio']);
    image(['videos', i, 'image'], video['image'], 'image', aspectRatio);
    image(['videos', i, 'end_image'], video['end_image'], 'end_image', aspectRatio);
    const name = video['name'];
    if (realOutput !== undefined && realRecords !== undefined && typeof name === 'string' && VIDEO_NAME_PATTERN.test(name)) {
      const folder = realOutput;
      const records = realRecords;
      checks.push(() => savedFileProblem(doc, ['videos', i, 'name'], name, folder, records, workspaceRoot, sink));
    }
  });
  (Array.isArray(root['elements']) ? root['elements'] : []).forEach((element, i) => {
    if (!isObject(element)) return;
    image(['elements', i, 'frontal_image'], element['frontal_image'], 'frontal_image');
    if (Array.isArray(element['refer_images'])) {
      element['refer_images'].forEach((value, j) => image(['elements', i, 'refer_images', j], value, 'refer image'));
    }
  });

  // A few at a time, in order, until the sink is full: a file of a hundred thousand images must not open them all.
  let next = 0;
  const worker = async () => {
    while (next < checks.length && !sink.full) await checks[next++]!();
  };
  await Promise.all(Array.from({ length: FILE_CHECKS_AT_ONCE }, worker));
}

/** The video's aspect_ratio as the request will carry it (16:9 when unset); undefined when it is not one (the schema says so). */
function aspectRatioOf(value: unknown): string | undefined {
  if (value === undefined) return '16:9';
  return typeof value === 'string' && (ASPECT_RATIOS as readonly string[]).includes(value) ? value : undefined;
}

/**
 * A frame image: a path inside the workspace, to a file the service takes; with the video's `aspectRatio`, a warning
 * when its shape is more than 5 % from the video's (frameFit.ts): the request is still valid, but the picture is cut.
 */
async function imageProblem(doc: StoryboardDocument, at: JsonPath, value: string, label: string, location: StoryboardLocation, sink: ProblemSink, aspectRatio?: string): Promise<void> {
  const add = (code: Problem['code'], message: string) => sink.add(() => doc.problem(code, at, message));
  if (/^https:\/\//i.test(value)) return;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return add('bad-image', `${label} must be a path relative to this file or an https:// URL; got ${JSON.stringify(value)}`);
  }
  const { workspaceRoot } = location;
  const base = path.dirname(location.storyboardPath);
  const escape = escapeReason(value, base, workspaceRoot, label);
  if (escape) return add('path-outside-workspace', escape);
  const absolute = path.resolve(base, value);
  const boundary = await checkInsideRoot(absolute, workspaceRoot);
  if (!boundary.inside) return add('path-outside-workspace', `${label} ${JSON.stringify(value)} leads outside the workspace: ${boundary.reason}`);
  const checked = await checkImageFile(boundary.realPath, `${label} ${JSON.stringify(value)}`);
  if (checked.ok) {
    const misfit = aspectRatio ? frameMisfit(checked.image.width, checked.image.height, aspectRatio) : undefined;
    if (misfit) {
      const message = frameMisfitMessage(`${label} ${JSON.stringify(value)}`, checked.image.width, checked.image.height, aspectRatio!, misfit);
      sink.add(() => doc.problem('frame-crop', at, message, { severity: 'warning' }));
    }
    return;
  }
  const notFound = checked.problem.endsWith('not found');
  add(
    notFound ? 'file-not-found' : 'bad-image',
    notFound ? `${checked.problem} (looked for ${path.relative(workspaceRoot, absolute) || absolute} in the workspace)` : checked.problem,
  );
}

/**
 * `<output>/<name>.mp4`, its sidecar and its takes: a link there is not written through (files are renamed into place), but
 * the up-to-date check and the preview read them; one that leads out of the workspace is refused at the video's name.
 */
async function savedFileProblem(doc: StoryboardDocument, at: JsonPath, name: string, realOutput: string, realRecords: string, workspaceRoot: string, sink: ProblemSink): Promise<void> {
  for (const target of [path.join(realOutput, `${name}.mp4`), path.join(realRecords, `${name}.mp4.json`)]) {
    const isLink = await lstat(target).then((s) => s.isSymbolicLink(), () => false);
    if (!isLink) continue;
    const check: BoundaryCheck = await checkInsideRoot(target, workspaceRoot);
    if (check.inside) continue;
    const shown = displayPath(workspaceRoot, target);
    sink.add(() => doc.problem('path-outside-workspace', at, `video "${name}" is saved as ${shown}, which leads outside the workspace: ${check.reason}; remove the link`));
    return;
  }
  // Every render is saved as a take first, in `<records>/.takes/<name>/`: a link there would take the video out.
  const takes = path.join(realRecords, TAKES_FOLDER, name);
  const check = await checkInsideRoot(takes, workspaceRoot);
  if (check.inside) return;
  const shown = displayPath(workspaceRoot, takes);
  sink.add(() => doc.problem('path-outside-workspace', at, `video "${name}" keeps its takes in ${shown}, which leads outside the workspace: ${check.reason}; remove the link`));
}

function displayPath(workspaceRoot: string, target: string): string {
  const relative = path.relative(workspaceRoot, target);
  return relative && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : target;
}

/** Why a path leads outside the workspace as written (`..`, an absolute path elsewhere), or undefined. */
export function escapeReason(value: string, base: string, workspaceRoot: string, label: string): string | undefined {
  const absolute = path.resolve(base, value);
  const relative = path.relative(workspaceRoot, absolute);
  if (relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))) return undefined;
  return path.isAbsolute(value)
    ? `${label} ${JSON.stringify(value)} is outside the workspace; use a path inside it, relative to this file`
    : `${label} ${JSON.stringify(value)} leads outside the workspace; keep it inside, relative to this file`;
}
