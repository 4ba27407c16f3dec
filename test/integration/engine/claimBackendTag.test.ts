import assert from 'node:assert/strict';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import type { Backend } from '../../../src/core/journal/taskState';
import { CliBackends } from '../../../src/cli/cliBackend';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aVideoDraft } from '../../helpers/taskDrafts';

// The claim's name carries the backend, so that the simulator's tasks are not taken for the service's. For the real
// API — the only backend that costs money — the CLI and the editor must name the same claim for the same video.
// The CLI's backend is `{ kind: 'api', baseUrl: undefined }` when KLING_BASE_URL is not set (the default address);
// the editor's is `{ kind: 'api', baseUrl: 'https://api.evolink.ai' }` (klingSettings.baseUrl() fills the default
// in). The claim's backend tag hashes `baseUrl ?? ''`, so the two look for different claims: a terminal and a VS Code
// window on one storyboard each pay for every video. Every test of the claims runs on the simulator, whose tag is
// the same for all.

const LIMIT = { timeout: 30_000 };

describe('the CLI and the editor on the real API', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    // The simulator stands in for the service: both engines' clients go to it, whatever their backend says.
    sim = await startTestSimulator({ processingSeconds: 200 });
    dir = await tempDir('claim-backend');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  it('name the same claim for the same video at the default address: one create, not two', LIMIT, async () => {
    // The backend `kling render` uses without KLING_BASE_URL or --base-url, as the CLI itself builds it.
    const cliBackend: Backend = new CliBackends({ env: {} } as never, {}).backend(false);
    // The backend the editor uses with klingStudio.baseUrl at its default (src/extension/backend/backendManager.ts).
    const editorBackend: Backend = { kind: 'api', baseUrl: 'https://api.evolink.ai' };

    const cli = await startEngine(sim, path.join(dir, 'cli-state', 'journal.json'), { tool: 'kling render' });
    const editor = await startEngine(sim, path.join(dir, 'editor-storage', 'journal.json'), { tool: 'VS Code' });
    beds.push(cli, editor);
    const outputPath = path.join(dir, 'media', 'hero.mp4');
    const fromCli = await cli.engine.submit({ ...aVideoDraft(outputPath, {}, 'hero'), backend: cliBackend, workspaceRoot: dir });
    const fromEditor = await editor.engine.submit({ ...aVideoDraft(outputPath, {}, 'hero'), backend: editorBackend, workspaceRoot: dir });

    assert.equal(sim.stats().creates, 1, `the editor ${fromEditor.taskId === fromCli.taskId ? 'followed the CLI' : 'created the video a second time'} (claims ${fromCli.claim?.key} and ${fromEditor.claim?.key})`);
  });
});
