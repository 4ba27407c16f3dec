import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VideoRequest } from '../../../../src/core/api/apiSchemas';
import { buildVideoRequest, specFromStoryboardVideo } from '../../../../src/core/request/buildRequest';
import { canonicalJson, formerRequestHashes, requestHash } from '../../../../src/core/request/requestHash';

const resolver = { image: (ref: string) => `https://files.example/${ref}`, element: (name: string) => `el-${name}` };

describe('buildVideoRequest', () => {
  it('fills every default so the request says everything that is paid for', () => {
    const request = buildVideoRequest(specFromStoryboardVideo({ name: 'hero', prompt: 'A dog' }));
    assert.deepEqual(request, {
      model: 'kling-v3-text-to-video',
      prompt: 'A dog',
      duration: 5,
      aspect_ratio: '16:9',
      quality: '720p',
      sound: 'off',
      model_params: { watermark_info: { enabled: false } },
    });
    assert.ok(VideoRequest.safeParse(request).success);
  });

  it('takes the storyboard defaults, and the video over them', () => {
    const spec = specFromStoryboardVideo(
      { name: 'a', prompt: 'p', quality: '1080p' },
      { quality: '720p', sound: 'on', aspect_ratio: '9:16', negative_prompt: 'blurry', watermark: false, callback_url: 'https://h.example/k' },
    );
    const request = buildVideoRequest(spec);
    assert.equal(request.quality, '1080p');
    assert.equal(request.sound, 'on');
    assert.equal(request.aspect_ratio, '9:16');
    assert.equal(request.negative_prompt, 'blurry');
    assert.equal(request.callback_url, 'https://h.example/k');
    assert.deepEqual(request.model_params, { watermark_info: { enabled: false } });
  });

  it('turns shots into multi_prompt with string durations, and the duration into their sum', () => {
    const request = buildVideoRequest(
      specFromStoryboardVideo({ name: 't', shots: [{ prompt: 'hill', duration: 4 }, { prompt: 'city', duration: 6 }] }),
    );
    assert.equal(request.prompt, '');
    assert.equal(request.duration, 10);
    assert.deepEqual(request.model_params, {
      multi_shot: true,
      shot_type: 'customize',
      multi_prompt: [
        { index: 1, prompt: 'hill', duration: '4' },
        { index: 2, prompt: 'city', duration: '6' },
      ],
      watermark_info: { enabled: false },
    });
    assert.ok(VideoRequest.safeParse(request).success, JSON.stringify(VideoRequest.safeParse(request).error?.issues));
  });

  it('turns "auto" into shot_type intelligence', () => {
    const request = buildVideoRequest(specFromStoryboardVideo({ name: 't', prompt: 'reveal', duration: 9, shots: 'auto' }));
    assert.deepEqual(request.model_params, { multi_shot: true, shot_type: 'intelligence', watermark_info: { enabled: false } });
  });

  it('makes image-to-video from images, and lists elements by id', () => {
    const request = buildVideoRequest(
      specFromStoryboardVideo({ name: 'l', prompt: '<<<element_1>>> spins', image: 'a.png', end_image: 'https://x.example/e.png', elements: ['m'] }),
      resolver,
    );
    assert.equal(request.model, 'kling-v3-image-to-video');
    assert.equal(request.image_start, 'https://files.example/a.png');
    assert.equal(request.image_end, 'https://x.example/e.png');
    assert.deepEqual(request.model_params?.element_list, [{ element_id: 'el-m' }]);
    assert.throws(() => buildVideoRequest(specFromStoryboardVideo({ name: 'l', prompt: 'p', image: 'a.png' })), /has not been resolved/);
  });

  it('sends a loop\'s first frame as its last too (image_end = image_start), and changes the hash with it', () => {
    const loop = buildVideoRequest(specFromStoryboardVideo({ name: 'l', prompt: 'waves', image: 'a.png', loop: true }), resolver);
    assert.equal(loop.model, 'kling-v3-image-to-video');
    assert.equal(loop.image_start, 'https://files.example/a.png');
    assert.equal(loop.image_end, 'https://files.example/a.png');
    const plain = buildVideoRequest(specFromStoryboardVideo({ name: 'l', prompt: 'waves', image: 'a.png' }), resolver);
    assert.equal(plain.image_end, undefined);
    assert.notEqual(requestHash(loop), requestHash(plain));
    // Text to video has no frame to repeat: "loop" alone asks for nothing (validation reports it).
    assert.equal(buildVideoRequest(specFromStoryboardVideo({ name: 'l', prompt: 'waves', loop: true }), resolver).image_end, undefined);
  });

  it('reads a frame of another video from the file a render names, and refuses one nobody resolved', () => {
    const spec = specFromStoryboardVideo({ name: 'next', prompt: 'on', image: { from: 'hero', frame: 'last' } }, {}, (ref) => `out/${ref.from}.${ref.frame}.png`);
    assert.equal(spec.image, 'out/hero.last.png');
    assert.throws(() => specFromStoryboardVideo({ name: 'next', prompt: 'on', image: { from: 'hero', frame: 'last' } }), /last frame of video "hero" is a frame of another video/);
  });
});

describe('requestHash', () => {
  const base = buildVideoRequest(specFromStoryboardVideo({ name: 'hero', prompt: 'A dog' }));

  it('is stable whatever the key order', () => {
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as typeof base;
    assert.equal(requestHash(reordered), requestHash(base));
    assert.match(requestHash(base), /^sha256:[0-9a-f]{64}$/);
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
  });

  it('changes with anything that shapes the video', () => {
    assert.notEqual(requestHash({ ...base, duration: 6 }), requestHash(base));
    assert.notEqual(requestHash({ ...base, prompt: 'A cat' }), requestHash(base));
    assert.notEqual(requestHash({ ...base, quality: '1080p' }), requestHash(base));
  });

  it('does not change with the callback URL, which does not shape the video', () => {
    assert.equal(requestHash({ ...base, callback_url: 'https://h.example/k' }), requestHash(base));
  });

  it('sends the watermark choice explicitly, true or false, from every spec', () => {
    assert.deepEqual(buildVideoRequest(specFromStoryboardVideo({ name: 'a', prompt: 'p' })).model_params, { watermark_info: { enabled: false } });
    assert.deepEqual(buildVideoRequest(specFromStoryboardVideo({ name: 'a', prompt: 'p', watermark: false })).model_params, { watermark_info: { enabled: false } });
    assert.deepEqual(buildVideoRequest(specFromStoryboardVideo({ name: 'a', prompt: 'p' }, { watermark: true })).model_params, { watermark_info: { enabled: true } });
  });

  it('takes "watermark off" as the hash of a request that said nothing, as earlier versions sent it', () => {
    const { model_params: _params, ...saidNothing } = base;
    assert.deepEqual(base.model_params, { watermark_info: { enabled: false } });
    assert.equal(requestHash(base), requestHash(saidNothing), 'the same video, not paid for again');
    const marked = buildVideoRequest(specFromStoryboardVideo({ name: 'hero', prompt: 'A dog', watermark: true }));
    assert.notEqual(requestHash(marked), requestHash(base), 'a watermark changes the video');
    const auto = buildVideoRequest(specFromStoryboardVideo({ name: 't', prompt: 'reveal', shots: 'auto' }));
    assert.equal(requestHash(auto), requestHash({ ...auto, model_params: { multi_shot: true, shot_type: 'intelligence' } }));
  });

  it('names the hash earlier versions gave a storyboard video that said "watermark": false, so it stays up to date', () => {
    // Earlier versions hashed the request exactly as built: with the explicit false when the storyboard said so.
    const before = `sha256:${createHash('sha256').update(canonicalJson(base)).digest('hex')}`;
    assert.notEqual(before, requestHash(base));
    assert.deepEqual(formerRequestHashes(base), [before]);
    const marked = buildVideoRequest(specFromStoryboardVideo({ name: 'hero', prompt: 'A dog', watermark: true }));
    assert.deepEqual(formerRequestHashes(marked), [], 'a watermarked request was always hashed as it is');
  });
});
