import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KlingTestApi } from '../../../../src/extension/extension';

export const EXTENSION_ID = 'kling-studio.kling-studio';

/** Activates Kling Studio (if it is not yet) and returns its test API. */
export async function klingExtension(): Promise<KlingTestApi> {
  const extension = vscode.extensions.getExtension<KlingTestApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not among the loaded extensions`);
  const api = await extension.activate();
  assert.ok(api, 'the extension returned no test API: is it running in ExtensionMode.Test?');
  return api;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs` saying what it waited for. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
