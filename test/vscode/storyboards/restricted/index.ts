/** The test index for the storyboards suite in Restricted Mode (an untrusted workspace). */
import { runInHost, testFiles } from '../../harness/hostRunner';

export function run(): Promise<void> {
  return runInHost({ files: testFiles(__dirname), timeoutMs: 30_000 });
}
