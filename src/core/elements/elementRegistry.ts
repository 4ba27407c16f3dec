import * as path from 'node:path';
import { readRegularText } from '../fs/readRegularText';
import { writeAtomically } from '../fs/writeAtomically';
import type { Backend } from '../journal/taskState';
import type { VideoLocations } from '../records/videoLocations';


// Elements already created, so that one is never created (and paid for) twice for the same definition:
// `.kling-elements.json` in an output folder, keyed by backend and definition hash (elementDefinition.ts). A storyboard's
// elements are remembered in its records folder (its output folder, or its "metadata" folder: videoLocations.ts); the composer's in the folder its videos go to. Beside it, while an
// element is being made, its claim (claimStore.ts, elementClaimRef) tells every other process to wait for it.

export const ELEMENTS_FILE = '.kling-elements.json';

export interface ElementRecord {
  name: string;
  element_id: string;
  taskId?: string | undefined;
  description?: string | undefined;
}

/**
 * Element ids created for a records folder on this backend, by definition hash. Given a storyboard's locations, its
 * metadata folder's records with those its output folder kept before the option was added: an element already paid
 * for is never made again because its record is in the old place.
 */
export async function readKnownElements(folder: string | VideoLocations, backend: Backend): Promise<Map<string, string>> {
  let records = await readElementRecords(typeof folder === 'string' ? folder : folder.metadataDir, backend);
  if (typeof folder !== 'string' && folder.separate) records = new Map([...(await readElementRecords(folder.outputDir, backend)), ...records]);
  return new Map([...records].map(([hash, record]) => [hash, record.element_id]));
}

/** The records of an output folder on this backend, by definition hash (names and descriptions too, for the preview). */
export async function readElementRecords(outputDir: string, backend: Backend): Promise<Map<string, ElementRecord>> {
  let json: Record<string, Partial<ElementRecord> | undefined>;
  try {
    json = JSON.parse((await readRegularText(path.join(outputDir, ELEMENTS_FILE))) ?? '{}') as typeof json;
  } catch {
    return new Map();
  }
  const prefix = `${backend.kind}:`;
  return new Map(
    Object.entries(json).flatMap(([key, value]) =>
      key.startsWith(prefix) && typeof value?.element_id === 'string' && typeof value.name === 'string'
        ? [[key.slice(prefix.length), { name: value.name, element_id: value.element_id, taskId: value.taskId, description: value.description }]]
        : [],
    ),
  );
}

/** Remembers an element created on this backend for this definition. */
export async function recordElement(
  outputDir: string,
  backend: Backend,
  definitionHash: string,
  record: ElementRecord,
  workspaceRoot: string | undefined,
): Promise<void> {
  const file = path.join(outputDir, ELEMENTS_FILE);
  let json: Record<string, unknown> = {};
  // Only a regular file is read (a FIFO would hang): anything else throws, with its name.
  const text = await readRegularText(file);
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Not JSON (cut short): it is written anew with what is known now.
  }
  json[`${backend.kind}:${definitionHash}`] = { ...record, createdAt: new Date().toISOString() };
  await writeAtomically(file, `${JSON.stringify(json, null, 2)}\n`, { root: workspaceRoot });
}

/**
 * Copies what `fromDir` remembers of one definition (on every backend) to `toDir`: an element made from the composer
 * and then saved into a storyboard is found there, not made (and paid for) again by the storyboard's render.
 */
export async function copyElementRecords(fromDir: string, toDir: string, definitionHash: string, workspaceRoot: string | undefined): Promise<number> {
  if (path.resolve(fromDir) === path.resolve(toDir)) return 0;
  let from: Record<string, unknown>;
  try {
    from = JSON.parse((await readRegularText(path.join(fromDir, ELEMENTS_FILE))) ?? '{}') as Record<string, unknown>;
  } catch {
    return 0;
  }
  const entries = Object.entries(from).filter(([key]) => key.endsWith(`:${definitionHash}`));
  if (entries.length === 0) return 0;
  const file = path.join(toDir, ELEMENTS_FILE);
  let to: Record<string, unknown> = {};
  const text = await readRegularText(file);
  try {
    to = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Not JSON (cut short): written anew with what is copied.
  }
  const copied = entries.filter(([key]) => to[key] === undefined);
  if (copied.length === 0) return 0;
  for (const [key, value] of copied) to[key] = value;
  await writeAtomically(file, `${JSON.stringify(to, null, 2)}\n`, { root: workspaceRoot });
  return copied.length;
}
