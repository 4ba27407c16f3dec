/** Facts about test/vscode/fixtures/hello-world that its tests check. */
import { join, resolve } from 'node:path';

/** `<publisher>.<name>` from the fixture's package.json. */
export const FIXTURE_ID = 'kling-studio-test.hello-world';
export const HELLO_TITLE = 'Hello World: Say Hello';
export const HELLO_MESSAGE = 'Hello World from the Kling Studio test fixture!';

/** The fixture's source folder (plain JS, not compiled); this file runs from out/test/vscode/hello/. */
export const FIXTURE_DIR = join(resolve(__dirname, '..', '..', '..', '..'), 'test', 'vscode', 'fixtures', 'hello-world');
