import * as path from 'node:path';
import { elementDefinitionHash, fileHasher } from '../elements/elementDefinition';
import { readElementRecords } from '../elements/elementRegistry';
import type { JournalEntry } from '../journal/taskState';
import { readStoryboardFile } from '../storyboard/readStoryboardFile';
import { StoryboardDocument } from '../storyboard/storyboardDocument';
import type { StoryboardElement } from '../storyboard/storyboardSchema';
import { storyboardOutputDir } from '../storyboard/storyboardFiles';
import type { DraftElement } from './composerForm';
import { storyboardElementsOf } from './composerStoryboard';

/** An element of the form with everything needed to price it, make it, or save it into a storyboard. */
export type ResolvedElement =
  | {
      kind: 'defined';
      name: string;
      /** Its definition; image paths are relative to `base`. */
      element: StoryboardElement;
      base: string;
      /** The storyboard that defines it; absent for one defined in the composer (paths relative to the workspace). */
      storyboardPath: string | undefined;
      /** Where it is remembered and claimed: its storyboard's output folder, or the composer's. */
      outputDir: string;
      definitionHash: string;
      /** Its id on the backend asked about, when it was made already. */
      elementId: string | undefined;
    }
  | { kind: 'existing'; name: string; elementId: string; description: string | undefined };

export interface ResolveOptions {
  workspaceRoot: string;
  /** The folder videos made from the composer go to: elements defined there are remembered there. */
  composerOutputDir: string;
  backend: JournalEntry['backend'];
}

export type ResolvedElements = { ok: true; elements: ResolvedElement[] } | { ok: false; index: number; problem: string };

/**
 * The form's elements as definitions: a storyboard's element is read from its file (as it is on disk now), one
 * defined in the composer is taken as it stands. Each gets its definition hash (text and image contents: the same
 * character in two places is one element) and, when it was made already on `backend`, its id.
 */
export async function resolveComposerElements(elements: readonly DraftElement[], options: ResolveOptions): Promise<ResolvedElements> {
  const resolved: ResolvedElement[] = [];
  const texts = new Map<string, Promise<Awaited<ReturnType<typeof readStoryboardFile>>>>();
  for (const [index, draft] of elements.entries()) {
    if (draft.kind === 'existing') {
      resolved.push({ kind: 'existing', name: draft.name, elementId: draft.element_id, description: draft.description });
      continue;
    }
    let element: StoryboardElement;
    let base: string;
    let storyboardPath: string | undefined;
    let outputDir: string;
    if (draft.kind === 'storyboard') {
      storyboardPath = path.resolve(options.workspaceRoot, ...draft.file.split('/'));
      let read = texts.get(storyboardPath);
      if (!read) texts.set(storyboardPath, (read = readStoryboardFile(storyboardPath, options.workspaceRoot)));
      const file = await read;
      if (!file.ok) return { ok: false, index, problem: `The element "${draft.name}" cannot be read from ${draft.file}: it ${file.problem}.` };
      const found = storyboardElementsOf(file.text).find((e) => e.name === draft.name);
      if (!found) return { ok: false, index, problem: `${draft.file} no longer defines the element "${draft.name}" (or its definition has a problem to fix there).` };
      element = found;
      base = path.dirname(storyboardPath);
      const output = new StoryboardDocument(file.text).valueAt(['output']);
      outputDir = storyboardOutputDir(storyboardPath, { output: typeof output === 'string' && output !== '' ? output : undefined });
    } else {
      element = { name: draft.name, description: draft.description, frontal_image: draft.frontal_image, refer_images: [...draft.refer_images] };
      base = options.workspaceRoot;
      outputDir = options.composerOutputDir;
    }
    let definitionHash: string;
    try {
      definitionHash = await elementDefinitionHash(element, fileHasher(base));
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      return { ok: false, index, problem: `An image of the element "${draft.name}" ${missing ? 'is missing' : `cannot be read (${(error as Error).message})`}.` };
    }
    const known = (await readElementRecords(outputDir, options.backend)).get(definitionHash);
    resolved.push({ kind: 'defined', name: draft.name, element, base, storyboardPath, outputDir, definitionHash, elementId: known?.element_id });
  }
  return { ok: true, elements: resolved };
}
