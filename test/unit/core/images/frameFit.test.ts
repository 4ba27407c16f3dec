import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameMisfit, frameMisfitMessage } from '../../../../src/core/images/frameFit';

describe('frameMisfit: an image whose shape is more than 5 % from the video\'s', () => {
  it('exactly 5 % passes, one pixel more warns (both ways, every aspect ratio)', () => {
    // 16:9 is 1.7778; 1680×900 is 1.8667, exactly 1.05 times as wide.
    assert.equal(frameMisfit(1680, 900, '16:9'), undefined);
    assert.equal(frameMisfit(1681, 900, '16:9')?.percent, 5);
    assert.equal(frameMisfit(1681, 900, '16:9')?.cut, 'sides');
    // 1600×945 is 1.0500 times as tall as 16:9 (1600·9 · 1.05 = 945·16).
    assert.equal(frameMisfit(1600, 945, '16:9'), undefined);
    assert.equal(frameMisfit(1600, 946, '16:9')?.cut, 'top and bottom');
    assert.equal(frameMisfit(1050, 1000, '1:1'), undefined);
    assert.ok(frameMisfit(1051, 1000, '1:1'));
    assert.equal(frameMisfit(1000, 1050, '1:1'), undefined);
    assert.ok(frameMisfit(1000, 1051, '1:1'));
    assert.equal(frameMisfit(900, 1680, '9:16'), undefined);
    assert.ok(frameMisfit(900, 1681, '9:16'));
  });

  it('the same shape at any size passes', () => {
    assert.equal(frameMisfit(1920, 1080, '16:9'), undefined);
    assert.equal(frameMisfit(1080, 1920, '9:16'), undefined);
    assert.equal(frameMisfit(300, 300, '1:1'), undefined);
  });

  it('a 1920×1080 photo as the first frame of a 9:16 video: the middle 32 % of its width, 216 % wider', () => {
    const misfit = frameMisfit(1920, 1080, '9:16');
    assert.ok(misfit);
    assert.equal(misfit.percent, 216);
    assert.equal(misfit.cut, 'sides');
    assert.equal(misfit.crop.y, 0);
    assert.equal(misfit.crop.height, 1);
    assert.ok(Math.abs(misfit.crop.width - 0.31640625) < 1e-9, String(misfit.crop.width));
    assert.ok(Math.abs(misfit.crop.x + misfit.crop.width / 2 - 0.5) < 1e-9, 'centred');
    assert.equal(
      frameMisfitMessage('image "photo.jpg"', 1920, 1080, '9:16', misfit),
      'image "photo.jpg" is 1920×1080, 216 % wider than the video\'s 9:16: the service will crop it, keeping about 32 % of its width (its sides are cut). Use an image of the video\'s shape, or change aspect_ratio',
    );
  });

  it('a portrait image in a landscape video keeps the middle band of its height', () => {
    const misfit = frameMisfit(600, 800, '16:9');
    assert.ok(misfit);
    assert.equal(misfit.cut, 'top and bottom');
    assert.equal(misfit.crop.x, 0);
    assert.equal(misfit.crop.width, 1);
    assert.ok(Math.abs(misfit.crop.height - 0.421875) < 1e-9, String(misfit.crop.height));
    assert.ok(Math.abs(misfit.crop.y - (1 - 0.421875) / 2) < 1e-9);
  });

  it('says nothing of what it cannot judge', () => {
    assert.equal(frameMisfit(0, 100, '16:9'), undefined);
    assert.equal(frameMisfit(100, 100, 'wide'), undefined);
  });
});
