import * as path from 'node:path';
import { checkImageFile } from '../images/imageCheck';
import type { JsonPath, Problem, StoryboardDocument } from './storyboardDocument';

// The rules of docs/storyboard-format.md that need the file system: images exist, are usable frames, and stay inside
// the workspace; the output folder stays inside it too.

export interface StoryboardLocation {
  /** Absolute path of the `.kling.json` file. */
  storyboardPath: string;
  /** Absolute path of the workspace folder that holds it: paths may not lead outside it. */
  workspaceRoot: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

export async function fileProblems(doc: StoryboardDocument, location: StoryboardLocation): Promise<Problem[]> {
  const root = doc.value;
  if (!isObject(root)) return [];
  const base = path.dirname(location.storyboardPath);
  const problems: Problem[] = [];

  if (typeof root['output'] === 'string' && root['output'] !== '') {
    const reason = escapeReason(root['output'], base, location.workspaceRoot, 'output');
    if (reason) problems.push(doc.problem('path-outside-workspace', ['output'], reason));
  }

  const images: { path: JsonPath; value: string; label: string }[] = [];
  const add = (p: JsonPath, value: unknown, label: string) => {
    if (typeof value === 'string' && value !== '') images.push({ path: p, value, label });
  };
  (Array.isArray(root['videos']) ? root['videos'] : []).forEach((video, i) => {
    if (!isObject(video)) return;
    add(['videos', i, 'image'], video['image'], 'image');
    add(['videos', i, 'end_image'], video['end_image'], 'end_image');
  });
  (Array.isArray(root['elements']) ? root['elements'] : []).forEach((element, i) => {
    if (!isObject(element)) return;
    add(['elements', i, 'frontal_image'], element['frontal_image'], 'frontal_image');
    if (Array.isArray(element['refer_images'])) {
      element['refer_images'].forEach((image, j) => add(['elements', i, 'refer_images', j], image, 'refer image'));
    }
  });

  const checked = await Promise.all(
    images.map(async (image) => {
      const problem = await imageProblem(image.value, image.label, base, location.workspaceRoot);
      return problem ? doc.problem(problem.code, image.path, problem.message) : undefined;
    }),
  );
  problems.push(...checked.filter((p): p is Problem => p !== undefined));
  return problems;
}

async function imageProblem(
  value: string,
  label: string,
  base: string,
  workspaceRoot: string,
): Promise<{ code: Problem['code']; message: string } | undefined> {
  if (/^https:\/\//i.test(value)) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return { code: 'bad-image', message: `${label} must be a path relative to this file or an https:// URL; got ${JSON.stringify(value)}` };
  }
  const escape = escapeReason(value, base, workspaceRoot, label);
  if (escape) return { code: 'path-outside-workspace', message: escape };
  const absolute = path.resolve(base, value);
  const checked = await checkImageFile(absolute, `${label} ${JSON.stringify(value)}`);
  if (checked.ok) return undefined;
  const notFound = checked.problem.endsWith('not found');
  return {
    code: notFound ? 'file-not-found' : 'bad-image',
    message: notFound ? `${checked.problem} (looked for ${path.relative(workspaceRoot, absolute) || absolute} in the workspace)` : checked.problem,
  };
}

/** Why a path leads outside the workspace, or undefined when it stays inside. */
export function escapeReason(value: string, base: string, workspaceRoot: string, label: string): string | undefined {
  const absolute = path.resolve(base, value);
  const relative = path.relative(workspaceRoot, absolute);
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) return undefined;
  return path.isAbsolute(value)
    ? `${label} ${JSON.stringify(value)} is outside the workspace; use a path inside it, relative to this file`
    : `${label} ${JSON.stringify(value)} leads outside the workspace; keep it inside, relative to this file`;
}
