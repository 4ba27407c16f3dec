import * as path from 'node:path';

/** `assets/logo.png`: a path inside the workspace as records keep it, with `/` on every system. */
export function workspaceRelative(workspaceRoot: string, absolutePath: string): string {
  return path.relative(workspaceRoot, absolutePath).split(path.sep).join('/');
}
