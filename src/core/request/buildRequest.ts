import {
  DURATION_DEFAULT,
  type AspectRatio,
  type ModelParams,
  type Quality,
  type Sound,
  type VideoRequest,
} from '../api/apiSchemas';
import type { FrameReference, StoryboardDefaults, StoryboardVideo } from '../storyboard/storyboardSchema';

/** A video with every setting decided: what the composer, the palette and storyboards all produce. */
export interface VideoSpec {
  prompt: string;
  negative_prompt?: string | undefined;
  duration: number;
  aspect_ratio: AspectRatio;
  quality: Quality;
  sound: Sound;
  shots?: ReadonlyArray<{ prompt: string; duration: number }> | 'auto' | undefined;
  /** First and last frame: a path relative to the storyboard, or an https URL. */
  image?: string | undefined;
  end_image?: string | undefined;
  /** A seamless loop: the first frame is sent as the last one too (`image_end` = `image_start`). */
  loop?: boolean | undefined;
  watermark?: boolean | undefined;
  callback_url?: string | undefined;
  /** Names of the storyboard's elements, in order. */
  elements?: readonly string[] | undefined;
}

/** How the builder turns references into what the service takes (uploaded URLs, element ids, or stand-ins for hashing). */
export interface RequestResolver {
  image(reference: string): string;
  element(name: string): string;
}

/**
 * Where a frame taken from another video is read from: a path relative to the storyboard (a render knows its output
 * folder; see src/core/render/frameFiles.ts). Without one, a video with a frame reference cannot become a spec.
 */
export type FrameFileOf = (reference: FrameReference) => string;

const unresolvedFrame: FrameFileOf = (reference) => {
  throw new Error(`the ${reference.frame} frame of video "${reference.from}" is a frame of another video, which only a storyboard render can resolve`);
};

/**
 * Fills a storyboard video's gaps from the file's defaults, then from the service's defaults
 * (docs/storyboard-format.md).
 */
export function specFromStoryboardVideo(video: StoryboardVideo, defaults: StoryboardDefaults = {}, frameFile: FrameFileOf = unresolvedFrame): VideoSpec {
  const frame = (image: StoryboardVideo['image']) => (image === undefined || typeof image === 'string' ? image : frameFile(image));
  const shots = video.shots;
  const shotTotal = Array.isArray(shots) ? shots.reduce((sum, shot) => sum + shot.duration, 0) : undefined;
  return {
    prompt: video.prompt ?? '',
    negative_prompt: video.negative_prompt ?? defaults.negative_prompt,
    duration: video.duration ?? shotTotal ?? DURATION_DEFAULT,
    aspect_ratio: video.aspect_ratio ?? defaults.aspect_ratio ?? '16:9',
    quality: video.quality ?? defaults.quality ?? '720p',
    sound: video.sound ?? defaults.sound ?? 'off',
    shots,
    image: frame(video.image),
    end_image: frame(video.end_image),
    ...(video.loop ? { loop: true } : {}),
    watermark: video.watermark ?? defaults.watermark,
    callback_url: video.callback_url ?? defaults.callback_url,
    elements: video.elements,
  };
}

/** The exact create body for a video (docs/storyboard-format.md, "From a video to a request"). */
export function buildVideoRequest(spec: VideoSpec, resolver?: RequestResolver): VideoRequest {
  const params: ModelParams = {};
  if (spec.shots === 'auto') {
    params.multi_shot = true;
    params.shot_type = 'intelligence';
  } else if (spec.shots) {
    params.multi_shot = true;
    params.shot_type = 'customize';
    params.multi_prompt = spec.shots.map((shot, i) => ({ index: i + 1, prompt: shot.prompt, duration: String(shot.duration) }));
  }
  // Always said, never left to the service's undocumented default: the request (and the sidecar) says what was asked.
  params.watermark_info = { enabled: spec.watermark === true };
  if (spec.elements?.length) {
    params.element_list = spec.elements.map((name) => ({ element_id: resolve(resolver, 'element', name) }));
  }
  const request: VideoRequest = {
    model: spec.image ? 'kling-v3-image-to-video' : 'kling-v3-text-to-video',
    prompt: spec.prompt,
    duration: spec.duration,
    aspect_ratio: spec.aspect_ratio,
    quality: spec.quality,
    sound: spec.sound,
  };
  if (spec.negative_prompt) request.negative_prompt = spec.negative_prompt;
  if (spec.callback_url) request.callback_url = spec.callback_url;
  if (spec.image) request.image_start = resolve(resolver, 'image', spec.image);
  if (spec.end_image) request.image_end = resolve(resolver, 'image', spec.end_image);
  // A loop ends where it starts: the service is asked for the same frame at both ends (docs/storyboard-format.md, "loop").
  else if (spec.loop && request.image_start) request.image_end = request.image_start;
  request.model_params = params;
  return request;
}

function resolve(resolver: RequestResolver | undefined, kind: 'image' | 'element', reference: string): string {
  if (kind === 'image' && /^https:\/\//.test(reference)) return reference;
  if (!resolver) throw new Error(`cannot build the request: the ${kind} ${JSON.stringify(reference)} has not been resolved`);
  return kind === 'image' ? resolver.image(reference) : resolver.element(reference);
}
