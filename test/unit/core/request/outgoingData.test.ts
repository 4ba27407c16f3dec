import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlannedVideo, StoryboardPlan } from '../../../../src/core/render/storyboardPlan';
import type { VideoSpec } from '../../../../src/core/request/buildRequest';
import { outgoingOfPlan, outgoingOfRequest } from '../../../../src/core/request/outgoingData';
import { outgoingLines, OUTGOING_IMAGES_SHOWN } from '../../../../src/core/request/outgoingLines';
import type { StoryboardElement } from '../../../../src/core/storyboard/storyboardSchema';

// What a confirmation says leaves the machine with a create: every image (uploaded, or a link) and callback_url.

const video = (name: string, spec: Partial<VideoSpec>): PlannedVideo =>
  ({ name, spec: { prompt: name, duration: 5, aspect_ratio: '16:9', quality: '720p', sound: 'off', ...spec } }) as PlannedVideo;

const mascot: StoryboardElement = { name: 'mascot', description: 'A round robot', frontal_image: 'assets/front.png', refer_images: ['assets/side.png', 'https://cdn.example.com/back.png'] };
const hat: StoryboardElement = { name: 'hat', description: 'A red hat', frontal_image: 'assets/hat.png', refer_images: ['assets/hat-side.png'] };

describe('outgoing data of a create', () => {
  it('a storyboard render: frames by file (shared files once), new elements only, callbacks by address', () => {
    const plan: Pick<StoryboardPlan, 'elements'> = {
      elements: [
        { element: mascot, definitionHash: 'a' },
        { element: hat, definitionHash: 'b', elementId: 'el-known' },
      ],
    };
    const toRender = [
      video('hero', { image: 'assets/logo.png', end_image: 'https://cdn.example.com/end.png', callback_url: 'https://hooks.example.com/kling' }),
      video('spin', { image: 'assets/logo.png', callback_url: 'https://hooks.example.com/kling' }),
      video('wave', { elements: ['mascot', 'hat'], callback_url: 'https://other.example.com/cb' }),
      video('plain', {}),
      video('loop', { image: 'assets/loop.png', end_image: 'assets/loop.png' }),
    ];
    assert.deepEqual(outgoingLines(outgoingOfPlan(plan, toRender)), [
      'Images sent:',
      '· assets/front.png (uploaded from this machine): front image of element "mascot"',
      '· assets/side.png (uploaded from this machine): reference image of element "mascot"',
      '· https://cdn.example.com/back.png: reference image of element "mascot"',
      '· assets/logo.png (uploaded from this machine): first frame of hero, spin',
      '· https://cdn.example.com/end.png: last frame of hero',
      '· assets/loop.png (uploaded from this machine): first frame of loop; last frame of loop',
      'The service will post each result to https://hooks.example.com/kling (callback_url of hero, spin)',
      'The service will post the result to https://other.example.com/cb (callback_url of wave)',
    ]);
  });

  it('an element not needed by the videos to render sends nothing', () => {
    const plan: Pick<StoryboardPlan, 'elements'> = { elements: [{ element: mascot, definitionHash: 'a' }] };
    assert.deepEqual(outgoingLines(outgoingOfPlan(plan, [video('plain', {})])), []);
  });

  it('a single request (Retry, Regenerate): its links and its callback_url', () => {
    assert.deepEqual(
      outgoingLines(
        outgoingOfRequest({
          model: 'kling-v3-image-to-video',
          prompt: 'x',
          image_start: 'https://files-api.evolink.ai/u/1.png',
          image_end: 'https://files-api.evolink.ai/u/2.png',
          callback_url: 'https://hooks.example.com/kling',
        }),
      ),
      [
        'Images sent:',
        '· https://files-api.evolink.ai/u/1.png: first frame',
        '· https://files-api.evolink.ai/u/2.png: last frame',
        'The service will post the result to https://hooks.example.com/kling (callback_url)',
      ],
    );
    assert.deepEqual(outgoingLines(outgoingOfRequest({ model: 'kling-v3-text-to-video', prompt: 'x' })), [], 'words only: nothing to list');
    assert.deepEqual(
      outgoingLines(
        outgoingOfRequest({
          model: 'kling-custom-element',
          model_params: {
            element_name: 'Fox',
            element_description: 'd',
            reference_type: 'image_refer',
            element_image_list: { frontal_image: 'https://x.example/f.png', refer_images: [{ image_url: 'https://x.example/s.png' }] },
          },
        }),
      ),
      ['Images sent:', '· https://x.example/f.png: front image', '· https://x.example/s.png: reference image'],
    );
  });

  it('one image says "Image sent", and a long list ends with a count of the rest and of their uploads', () => {
    assert.deepEqual(outgoingLines(outgoingOfPlan({ elements: [] }, [video('a', { image: 'a.png' })])), ['Image sent:', '· a.png (uploaded from this machine): first frame of a']);
    const many = Array.from({ length: OUTGOING_IMAGES_SHOWN + 3 }, (_, i) => video(`v${i}`, { image: i % 2 ? `https://x.example/${i}.png` : `f${i}.png` }));
    const lines = outgoingLines(outgoingOfPlan({ elements: [] }, many));
    assert.equal(lines.length, 1 + OUTGOING_IMAGES_SHOWN + 1);
    assert.equal(lines.at(-1), '· and 3 more (2 uploaded from this machine)');
  });
});
