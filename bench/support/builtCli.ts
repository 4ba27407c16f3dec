import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The built `kling` (dist/cli.js): benches that run the CLI as users do need `npm run build` first. */
export function builtCli(): string {
  const cli = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  return cli;
}
