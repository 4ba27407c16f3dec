/** Runs inside the extension host, with the hello-world fixture as the extension under development. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, test } from '../../harness/hostRunner';
import { FIXTURE_ID, HELLO_MESSAGE } from '../fixture';

suite('hello-world fixture', () => {
  test('Say Hello activates the extension and returns its message', async () => {
    const extension = vscode.extensions.getExtension(FIXTURE_ID);
    assert.ok(extension, `${FIXTURE_ID} is not among the loaded extensions`);
    assert.equal(extension.isActive, false, 'the fixture activated before its command ran');

    const message = await vscode.commands.executeCommand<string>('helloWorld.sayHello');

    assert.equal(message, HELLO_MESSAGE);
    assert.equal(extension.isActive, true, 'the fixture is not active after its command ran');
  });
});
