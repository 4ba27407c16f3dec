/** The test index for the suite whose workspace (a cloned repo) tries to set what only the user may. */
import { runInHost, testFiles } from '../../harness/hostRunner';

export function run(): Promise<void> {
  return runInHost({ files: testFiles(__dirname), timeoutMs: 60_000 });
}
