/** The test index the extension host loads (`extensionTestsPath`): runs every `*.api.js` beside it. */
import { runInHost, testFiles } from '../../harness/hostRunner';

export function run(): Promise<void> {
  return runInHost({ files: testFiles(__dirname) });
}
