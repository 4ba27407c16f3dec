import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type * as CoreModules from '../../../../src/extension/lazy/coreModules';
import { EXTENSION_ID } from './klingExtension';

type BundledMedia = Pick<typeof CoreModules, 'readMp4Info' | 'renderSimulatedVideo' | 'findSimulatorClipsDir'>;

/**
 * The media code of the extension's own lazy bundle (dist/klingCore.js, the module the extension itself requires):
 * tests in the extension host read and make MP4s with it, since importing src's copy as well would load mediabunny
 * a second time into the same process, which it warns about.
 */
export function bundledMedia(): BundledMedia {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not among the loaded extensions`);
  return require(join(extension.extensionPath, 'dist', 'klingCore.js')) as BundledMedia;
}
