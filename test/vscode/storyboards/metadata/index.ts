/** The test index of the metadata-folder API suite: its own workspace, so what it renders counts in no other suite. */
import { runInHost, testFiles } from '../../harness/hostRunner';

export function run(): Promise<void> {
  return runInHost({ files: testFiles(__dirname), timeoutMs: 30_000 });
}
