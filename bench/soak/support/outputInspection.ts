import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { loadSidecar, SIDECAR_SUFFIX } from '../../../src/core/download/sidecar';
import { readMp4Info } from '../../../src/core/media/mp4Info';

/** A task as the simulator recorded it: what matters here is whose video it is (the prompt says). */
export interface RecordedTask {
  id: string;
  prompt: string;
}

export interface OutputInspection {
  /** Videos whole on disk: the MP4 parses, lasts as long as asked, has the size its sidecar says, and is its own. */
  saved: Set<string>;
  /** `name: why` for every video that is not whole, and every sidecar whose video is missing. */
  corrupt: string[];
  /** Hidden files left in the folder, by kind: partial downloads, claims, temporary files of atomic writes. */
  leftovers: Map<string, number>;
  /** Files that are neither a storyboard video, its sidecar, nor a hidden file of ours. */
  strays: string[];
}

/**
 * Looks at every file of a storyboard's output folder, independently of what the render said: each `<name>.mp4` is
 * parsed (src/core/media/mp4Info), its size compared with its sidecar's `bytes`, and its sidecar's task looked up in
 * the simulator's record, whose prompt must be this video's.
 */
export async function inspectOutput(
  outputDir: string,
  videos: ReadonlyMap<string, { prompt: string; seconds: number }>,
  tasks: readonly RecordedTask[],
): Promise<OutputInspection> {
  const result: OutputInspection = { saved: new Set(), corrupt: [], leftovers: new Map(), strays: [] };
  let names: string[];
  try {
    names = await readdir(outputDir);
  } catch {
    return result;
  }
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const present = new Set(names);
  for (const name of names.sort()) {
    if (name.startsWith('.')) {
      const kind = name.endsWith('.part') ? 'partial downloads' : name.endsWith('.claim') ? 'claims' : name.endsWith('.tmp') ? 'temporary files' : name;
      result.leftovers.set(kind, (result.leftovers.get(kind) ?? 0) + 1);
      continue;
    }
    if (name.endsWith(`.mp4${SIDECAR_SUFFIX}`)) {
      if (!present.has(name.slice(0, -SIDECAR_SUFFIX.length))) result.corrupt.push(`${name}: a sidecar whose video is missing`);
      continue;
    }
    const video = name.endsWith('.mp4') ? videos.get(name.slice(0, -4)) : undefined;
    if (!video) {
      result.strays.push(name);
      continue;
    }
    const why = await notWhole(path.join(outputDir, name), video, byId);
    if (why) result.corrupt.push(`${name}: ${why}`);
    else result.saved.add(name.slice(0, -4));
  }
  return result;
}

async function notWhole(file: string, video: { prompt: string; seconds: number }, tasks: ReadonlyMap<string, RecordedTask>): Promise<string | undefined> {
  const sidecar = await loadSidecar(file);
  if (sidecar.kind === 'missing') return 'it has no sidecar';
  if (sidecar.kind === 'invalid') return `its sidecar cannot be used: ${sidecar.problem}`;
  const size = (await stat(file)).size;
  if (size !== sidecar.sidecar.bytes) return `${size} bytes on disk, ${sidecar.sidecar.bytes} in its sidecar`;
  let seconds: number;
  try {
    seconds = (await readMp4Info(file)).durationSeconds;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (Math.abs(seconds - video.seconds) > 0.05) return `it lasts ${seconds} s, not ${video.seconds} s`;
  const task = tasks.get(sidecar.sidecar.taskId);
  if (!task) return `its sidecar names task ${sidecar.sidecar.taskId}, which the simulator never made`;
  if (task.prompt !== video.prompt) return `its sidecar names task ${task.id}, which was made for another prompt ("${task.prompt}")`;
  return undefined;
}
