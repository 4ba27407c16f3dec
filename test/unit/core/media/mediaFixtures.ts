import { existsSync } from 'node:fs';
import path from 'node:path';

/** Path of a file in test/fixtures/media (made by scripts/make-simulator-clips.sh), from the source or from out/. */
export function mediaFixture(name: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures', 'media');
    if (existsSync(path.join(candidate, name))) return path.join(candidate, name);
    if (path.dirname(dir) === dir) throw new Error(`test/fixtures/media/${name} not found above ${__dirname}`);
  }
}
