/** The test index the extension host loads for the takes API suite: every `*.api.js` beside it. */
import { runInHost, testFiles } from '../../harness/hostRunner';

export function run(): Promise<void> {
  return runInHost({ files: testFiles(__dirname), timeoutMs: 30_000 });
}
