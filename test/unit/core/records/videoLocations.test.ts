import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { isUpToDate, loadSidecar, writeSidecar } from '../../../../src/core/download/sidecar';
import { readKnownElements, recordElement } from '../../../../src/core/elements/elementRegistry';
import { adoptBesideRecords } from '../../../../src/core/records/adoptBesideRecords';
import { locateVideo } from '../../../../src/core/records/locateVideo';
import { sidecarPathOf, VideoLocations } from '../../../../src/core/records/videoLocations';
import { listTakes } from '../../../../src/core/takes/takeStore';
import { aSidecar } from '../../../helpers/sidecars';

function workspace() {
  const root = mkdtempSync(path.join(tmpdir(), 'kling-locations-'));
  const locations = new VideoLocations(path.join(root, 'public', 'videos'), path.join(root, '.kling'));
  mkdirSync(locations.outputDir, { recursive: true });
  return { root, locations, place: locations.place('hero') };
}

describe('VideoLocations', () => {
  it('puts the records of a video in the metadata folder, and beside it by default', () => {
    const { root, locations, place } = workspace();
    assert.equal(sidecarPathOf(place), path.join(root, '.kling', 'hero.mp4.json'));
    assert.equal(locations.frameRecordPath(path.join(locations.outputDir, 'hero.last.png')), path.join(root, '.kling', 'hero.last.png.json'));
    assert.equal(sidecarPathOf(new VideoLocations(locations.outputDir).place('hero')), path.join(locations.outputDir, 'hero.mp4.json'));
    assert.deepEqual(locations.videoOfTake(path.join(root, '.kling', '.takes', 'hero', '20261203-100000-abcd1234.mp4')), place);
  });

  it('finds a video\'s records through the storyboard that outputs to its folder, and a take\'s video', () => {
    const { root, locations, place } = workspace();
    assert.deepEqual(locateVideo(place.video, [locations]), place);
    assert.deepEqual(locateVideo(path.join(root, '.kling', '.takes', 'hero', 'x.mp4'), [locations]), place);
    const elsewhere = path.join(root, 'other', 'clip.mp4');
    assert.deepEqual(locateVideo(elsewhere, [locations]), { video: elsewhere, recordsDir: path.dirname(elsewhere) });
  });
});

describe('a storyboard that names a metadata folder after its videos were saved', () => {
  it('still finds the sidecar beside the video (up to date), and a new sidecar replaces it', async () => {
    const { place } = workspace();
    writeFileSync(place.video, Buffer.alloc(10));
    writeFileSync(`${place.video}.json`, JSON.stringify(aSidecar({ requestHash: 'sha256:one', bytes: 10 })));
    const read = await loadSidecar(place);
    assert.equal(read.kind === 'found' && read.beside, true);
    assert.equal(await isUpToDate(place, 'sha256:one'), true);
    await writeSidecar(place, aSidecar({ requestHash: 'sha256:two', bytes: 10 }));
    assert.equal(existsSync(`${place.video}.json`), false, 'the old one is gone from the output folder');
    assert.equal(await isUpToDate(place, 'sha256:two'), true);
    assert.equal(await isUpToDate(place, 'sha256:one'), false);
  });

  it('moves the sidecar and the takes into the metadata folder, never over records already there', async () => {
    const { root, locations, place } = workspace();
    writeFileSync(place.video, Buffer.alloc(10));
    writeFileSync(`${place.video}.json`, JSON.stringify(aSidecar({ requestHash: 'sha256:one', bytes: 10 })));
    const oldTakes = path.join(locations.outputDir, '.takes', 'hero');
    mkdirSync(oldTakes, { recursive: true });
    writeFileSync(path.join(oldTakes, '20261203-100000-abcd1234.mp4'), Buffer.alloc(10));
    const moved = await adoptBesideRecords(place, root);
    assert.deepEqual(moved, [sidecarPathOf(place), path.join(root, '.kling', '.takes', 'hero')]);
    assert.deepEqual(readdirSync(locations.outputDir), ['hero.mp4']);
    assert.equal((await listTakes(place, { root })).takes.length, 2, 'the kept take and the chosen video');

    writeFileSync(`${place.video}.json`, JSON.stringify(aSidecar({ requestHash: 'sha256:stray', bytes: 10 })));
    assert.deepEqual(await adoptBesideRecords(place, root), []);
    assert.equal(await isUpToDate(place, 'sha256:one'), true, 'the metadata folder\'s sidecar wins');
  });

  it('reads the elements created before with those created since: none is made again', async () => {
    const { root, locations } = workspace();
    const backend = { kind: 'simulator' } as const;
    await recordElement(locations.outputDir, backend, 'sha256:old', { name: 'old', element_id: '1' }, root);
    await recordElement(locations.metadataDir, backend, 'sha256:new', { name: 'new', element_id: '2' }, root);
    assert.deepEqual([...(await readKnownElements(locations, backend))].sort(), [['sha256:new', '2'], ['sha256:old', '1']]);
  });
});
