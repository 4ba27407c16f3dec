import type { Sidecar } from '../../src/core/download/sidecar';

/** A sidecar as the task engine writes it for a finished simulator video, with the given changes. */
export function aSidecar(changes: Partial<Sidecar> = {}): Sidecar {
  return {
    kling: 1,
    request: { model: 'kling-v3-text-to-video', prompt: 'A red kite over green hills', duration: 5, aspect_ratio: '16:9', quality: '720p', sound: 'off' },
    requestHash: `sha256:${'a'.repeat(64)}`,
    taskId: 'task-unified-1764000000-abcd1234',
    model: 'kling-v3-text-to-video',
    label: 'A red kite over green hills',
    price: { estimated: { usd: '0.375', credits: '27', seconds: 5 }, reportedCredits: 27 },
    simulated: true,
    bytes: 12345,
    createdAt: '2026-11-25T10:00:00.000Z',
    completedAt: '2026-11-25T10:01:00.000Z',
    savedAt: '2026-11-25T10:01:02.000Z',
    ...changes,
  };
}

/** A multi-shot request of our own shots (4 s + 6 s), as buildVideoRequest makes it. */
export const TWO_SHOT_REQUEST = {
  model: 'kling-v3-text-to-video',
  prompt: '',
  duration: 10,
  aspect_ratio: '16:9',
  quality: '1080p',
  sound: 'off',
  model_params: {
    multi_shot: true,
    shot_type: 'customize',
    multi_prompt: [
      { index: 1, prompt: 'A person on a hilltop at dawn', duration: '4' },
      { index: 2, prompt: 'The camera pulls back to reveal the city', duration: '6' },
    ],
  },
};
