import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isApiError } from '../../../src/core/api/apiError';
import type { VideoRequest } from '../../../src/core/api/apiSchemas';
import { readSidecar } from '../../../src/core/download/sidecar';
import { readKnownElements } from '../../../src/core/elements/elementRegistry';
import { listTakes } from '../../../src/core/takes/takeStore';
import { regenerateDraft } from '../../../src/core/preview/regenerateDraft';
import { formatAmount } from '../../../src/core/pricing/decimal';
import { renderStoryboard } from '../../../src/core/render/renderStoryboard';
import { planStoryboard } from '../../../src/core/render/storyboardPlan';
import { outgoingOfRefresh } from '../../../src/core/request/outgoingData';
import { outgoingLines } from '../../../src/core/request/outgoingLines';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { validateStoryboard } from '../../../src/core/storyboard/validateStoryboard';
import { ImageUploads } from '../../../src/core/uploads/imageUploads';
import { applyUploadRefresh, planUploadRefresh } from '../../../src/core/uploads/refreshUploads';
import { UploadCache } from '../../../src/core/uploads/uploadCache';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { pngBytes } from '../../helpers/images';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { SIMULATOR_BACKEND } from '../../helpers/taskDrafts';

// A storyboard with a first frame and an element, rendered against the simulator over HTTP: what it costs is what
// the simulator charges, the sidecars say where the frames came from, a second render uploads and creates nothing it
// already has, and Regenerate after the upload expired (the simulator's clock moved 72 hours) uploads the frame again
// from its unchanged source, or refuses when the source changed or is gone.

const LIMIT = { timeout: 60_000 };
const HOUR = 3_600_000;

const board = (wave: string, spin = 'The logo turns slowly') => `{
  "version": 1,
  "output": "out",
  "videos": [
    { "name": "spin", "prompt": "${spin}", "image": "assets/logo.png", "duration": 3, "aspect_ratio": "1:1" },
    { "name": "wave", "prompt": "<<<element_1>>> ${wave}", "elements": ["mascot"], "duration": 3 }
  ],
  "elements": [ { "name": "mascot", "description": "A round orange robot", "frontal_image": "assets/front.png", "refer_images": ["assets/side.png"] } ]
}`;

describe('images and elements, rendered and regenerated against the simulator', () => {
  let sim: Simulator;
  let dir: string;
  let bed: EngineBed;
  let offset = 0;
  const simNow = () => Date.now() + offset;
  let cache: UploadCache;
  const storyboardPath = () => path.join(dir, 'board.kling.json');

  before(async () => {
    sim = await startTestSimulator({ now: simNow });
    dir = await tempDir('images-elements');
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'assets', 'logo.png'), pngBytes(640, 640));
    await writeFile(path.join(dir, 'assets', 'front.png'), pngBytes(400, 600));
    await writeFile(path.join(dir, 'assets', 'side.png'), pngBytes(500, 500));
    bed = await startEngine(sim, path.join(dir, '.state', 'journal.json'));
    await bed.engine.start();
    cache = new UploadCache(path.join(dir, '.state', 'uploads.json'), simNow);
  });
  after(async () => {
    await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  const uploads = () => new ImageUploads({ client: async () => bed.client, workspaceRoot: dir, cache });

  async function render(text: string) {
    await writeFile(storyboardPath(), text);
    const check = await validateStoryboard(text, { storyboardPath: storyboardPath(), workspaceRoot: dir });
    assert.deepEqual(check.problems, []);
    const plan = await planStoryboard(check.storyboard!, {
      storyboardPath: storyboardPath(),
      workspaceRoot: dir,
      journal: bed.journal.list(),
      backend: SIMULATOR_BACKEND,
      knownElements: await readKnownElements(path.join(dir, 'out'), SIMULATOR_BACKEND),
    });
    const images = uploads();
    const outcomes = await renderStoryboard(plan, { engine: bed.engine, backend: SIMULATOR_BACKEND, upload: (file, field) => images.upload(file, field) });
    assert.deepEqual(outcomes.map((o) => [o.name, o.kind]), [['spin', 'saved'], ['wave', 'saved']], JSON.stringify(outcomes));
    return plan;
  }

  it('charges exactly what the plan priced, the new element included, and records where each frame came from', LIMIT, async () => {
    const balance = sim.balance();
    const plan = await render(board('waves at the camera'));
    assert.deepEqual(plan.elementCosts.map((e) => [e.name, e.elementId, formatAmount(e.credits), formatAmount(e.usd)]), [['mascot', undefined, '1', '0.014']]);
    // 3 s 1:1 and 3 s 16:9 at 5.4 credits a second, and 1 credit for the element.
    assert.equal(formatAmount(plan.cost.credits), '33.4');
    assert.equal(formatAmount(plan.fullCostWithElements.credits), '33.4', 'the whole storyboard, from nothing, costs the same');
    assert.equal(Math.round((balance - sim.balance()) * 10_000) / 10_000, 33.4, 'the simulator charged what was priced');

    const spin = (await readSidecar(path.join(dir, 'out', 'spin.mp4')))!;
    const logo = createHash('sha256').update(await readFile(path.join(dir, 'assets', 'logo.png'))).digest('hex');
    assert.equal(spin.uploads?.length, 1);
    const [record] = spin.uploads!;
    assert.deepEqual(
      { field: record!.field, source: record!.source, sha256: record!.sha256, url: record!.url, uploadedTo: record!.uploadedTo },
      { field: 'image_start', source: 'assets/logo.png', sha256: logo, url: spin.request['image_start'], uploadedTo: sim.filesBaseUrl },
    );
    const lasts = Date.parse(record!.expiresAt) - simNow();
    assert.ok(lasts > 71 * HOUR && lasts <= 72 * HOUR, `the link lasts 72 hours: ${lasts} ms`);
    const wave = (await readSidecar(path.join(dir, 'out', 'wave.mp4')))!;
    const elementId = sim.tasks().find((t) => t.kind === 'element')!.elementId!;
    assert.deepEqual(wave.elements, [{ name: 'mascot', element_id: elementId, description: 'A round orange robot', frontal_image: 'assets/front.png' }]);
    assert.equal(wave.uploads, undefined, 'an element\'s images belong to the element, not the video');
  });

  it('a second render uploads nothing it already has and creates the element only once', LIMIT, async () => {
    const uploadsBefore = sim.stats().uploads;
    const elementsBefore = sim.tasks().filter((t) => t.kind === 'element').length;
    const balance = sim.balance();
    const plan = await render(board('waves again', 'The logo turns fast'));
    assert.deepEqual(plan.elementCosts.map((e) => e.elementId !== undefined), [true], 'known on this backend');
    assert.equal(formatAmount(plan.cost.credits), '32.4', 'two videos, no element');
    assert.equal(sim.stats().uploads, uploadsBefore, 'the frame\'s link is still good: not uploaded again');
    assert.equal(sim.tasks().filter((t) => t.kind === 'element').length, elementsBefore);
    assert.equal(Math.round((balance - sim.balance()) * 10_000) / 10_000, 32.4);
  });

  it('Regenerate after the upload expired uploads the frame again from its unchanged source, and the task is made', LIMIT, async () => {
    const video = path.join(dir, 'out', 'spin.mp4');
    const sidecar = (await readSidecar(video))!;
    offset += 72 * HOUR;
    const draft = regenerateDraft(sidecar, video);
    assert.ok(draft.ok);
    const request = draft.draft.request as VideoRequest;

    // As it is, the request would be refused: the simulator no longer serves the old link.
    await assert.rejects(bed.client.createTask(request), (error: unknown) => isApiError(error, 'invalid-request') && (error as { param?: string }).param === 'image_start');

    const plan = await planUploadRefresh(request, draft.draft.uploads, { now: simNow(), uploadedTo: bed.client.uploadedTo, workspaceRoot: dir });
    assert.ok(plan.ok, JSON.stringify(plan));
    assert.deepEqual(plan.frames.map((f) => [f.field, f.action]), [['image_start', 'upload']]);
    assert.deepEqual(outgoingLines(outgoingOfRefresh(request, plan)), [
      'Image sent:',
      '· assets/logo.png (its link has expired (uploads last 72 hours): uploaded again from this machine): first frame',
    ]);
    const uploadsBefore = sim.stats().uploads;
    const refreshed = await applyUploadRefresh(request, plan, draft.draft.requestHash, (file, field) => uploads().upload(file, field));
    assert.equal(sim.stats().uploads, uploadsBefore + 1, 'uploaded again');
    assert.notEqual(refreshed.request.image_start, request.image_start);
    assert.equal(refreshed.requestHash, sidecar.requestHash, 'the same image: the same video, still up to date with its storyboard');
    // Regenerate asks for the same request over the saved video on purpose: forced, or the engine would take the
    // sidecar with this very request for one another process saved meanwhile, and create nothing.
    const entry = await bed.engine.submit(
      { ...draft.draft, request: refreshed.request, uploads: refreshed.uploads, requestHash: refreshed.requestHash, backend: SIMULATOR_BACKEND },
      { force: true },
    );
    const [ended] = await bed.engine.waitFor([entry.id]);
    assert.ok(ended?.state.status === 'saved', JSON.stringify(ended?.state));
    // A take of spin, kept beside the chosen one (docs/storyboard-format.md, "Takes"): its sidecar has the new link.
    const takes = await listTakes(video, { root: dir });
    const take = takes.takes.find((t) => t.sidecar?.taskId === ended.taskId);
    assert.ok(take?.sidecar && !take.chosen, `the new take is kept beside the chosen video (${JSON.stringify(takes.takes.map((t) => [t.path, t.chosen]))})`);
    const after = take.sidecar;
    assert.equal(after.request['image_start'], refreshed.request.image_start);
    assert.equal(after.uploads?.[0]?.url, refreshed.request.image_start);
  });

  it('refuses to upload again a source that changed or is gone, and takes the file the user picks instead', LIMIT, async () => {
    const video = path.join(dir, 'out', 'spin.mp4');
    const draft = regenerateDraft((await readSidecar(video))!, video);
    assert.ok(draft.ok);
    const request = draft.draft.request as VideoRequest;
    offset += 72 * HOUR;
    const context = { now: simNow(), uploadedTo: bed.client.uploadedTo, workspaceRoot: dir };

    await writeFile(path.join(dir, 'assets', 'logo.png'), pngBytes(700, 700));
    const changed = await planUploadRefresh(request, draft.draft.uploads, context);
    assert.ok(!changed.ok);
    assert.equal(changed.field, 'image_start');
    assert.match(changed.problem, /^First frame assets\/logo\.png has changed since this video was made, and its link has expired .*: sending the new file would make a different video\. Pick the file to use \(it may be this one\)\.$/);

    await rm(path.join(dir, 'assets', 'logo.png'));
    const gone = await planUploadRefresh(request, draft.draft.uploads, context);
    assert.ok(!gone.ok);
    assert.match(gone.problem, /First frame assets\/logo\.png is no longer there, and its link has expired .*: it cannot be uploaded again\. Pick the file to use\./);

    const pickedFile = path.join(dir, 'assets', 'new-logo.png');
    await writeFile(pickedFile, pngBytes(720, 720));
    const picked = await planUploadRefresh(request, draft.draft.uploads, { ...context, replacements: { image_start: pickedFile } });
    assert.ok(picked.ok);
    assert.deepEqual(picked.frames.map((f) => [f.field, f.action, f.action === 'replace' ? f.source : '']), [['image_start', 'replace', 'assets/new-logo.png']]);
    const refreshed = await applyUploadRefresh(request, picked, draft.draft.requestHash, (file, field) => uploads().upload(file, field));
    assert.notEqual(refreshed.requestHash, draft.draft.requestHash, 'another image: another video');
    assert.equal(refreshed.uploads?.[0]?.source, 'assets/new-logo.png');

    const small = path.join(dir, 'assets', 'small.png');
    await writeFile(small, pngBytes(200, 200));
    const tooSmall = await planUploadRefresh(request, draft.draft.uploads, { ...context, replacements: { image_start: small } });
    assert.ok(!tooSmall.ok);
    assert.match(tooSmall.problem, /200×200; the short side must be at least 300 px/);
  });
});
