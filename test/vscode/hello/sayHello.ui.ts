/** The fixture's command, run from the palette as a person would, and its toast read back. */
import * as assert from 'node:assert/strict';
import type { UiTest } from '../harness/run';
import { HELLO_MESSAGE, HELLO_TITLE } from './fixture';

export const sayHelloFromPalette: UiTest = {
  name: 'Say Hello from the palette shows its toast',
  async run(workbench) {
    await workbench.runCommand(HELLO_TITLE);
    await workbench.waitForNotification(HELLO_MESSAGE);

    assert.ok((await workbench.notifications()).includes(HELLO_MESSAGE));
    await workbench.screenshot('hello-say-hello-toast');
  },
};
