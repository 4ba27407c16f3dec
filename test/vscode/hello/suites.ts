/** The hello-world suites: proof that the VS Code tier works, and a baseline to compare against. */
import { join } from 'node:path';
import type { Suite } from '../harness/run';
import { FIXTURE_DIR } from './fixture';
import { sayHelloFromPalette } from './sayHello.ui';

export function helloSuites(): Suite[] {
  return [
    {
      kind: 'api',
      name: 'hello-api',
      extensionDevelopmentPath: FIXTURE_DIR,
      testsIndex: join(__dirname, 'api', 'index.js'),
    },
    {
      kind: 'ui',
      name: 'hello-ui',
      extensions: [FIXTURE_DIR],
      tests: [sayHelloFromPalette],
    },
  ];
}
