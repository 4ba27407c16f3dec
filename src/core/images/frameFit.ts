// How a frame image fits the video's frame. docs/service-contract.md says nothing of what the service does with an
// image whose shape is not the video's, so we say "cropped": the video's frame, centred, covering the image. Pure (no
// Node, no VS Code): the storyboard check, the composer's host and its page all use it.

/** Above this many per cent apart, the shapes differ enough to say so. Exactly 5 % still passes. */
export const FRAME_FIT_TOLERANCE_PERCENT = 5;

/** The part of the image the video's frame covers, as fractions of the image's width and height (0 to 1). */
export interface FrameCrop {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FrameMisfit {
  /** How far apart the two shapes are: the wider over the narrower, less one, in per cent (rounded to a whole). */
  percent: number;
  /** The image is wider than the video (its sides are cut), or taller (its top and bottom are). */
  cut: 'sides' | 'top and bottom';
  crop: FrameCrop;
}

/**
 * The misfit of a `width`×`height` image in a video of `aspectRatio` ("16:9", "9:16", "1:1"), or undefined when the
 * shapes are within 5 % of each other. Decided in whole numbers (w·H against h·W), so exactly 5 % is exactly 5 %.
 */
export function frameMisfit(width: number, height: number, aspectRatio: string): FrameMisfit | undefined {
  const shape = /^(\d+):(\d+)$/.exec(aspectRatio);
  if (!shape || width <= 0 || height <= 0) return undefined;
  const frameW = Number(shape[1]);
  const frameH = Number(shape[2]);
  const image = width * frameH;
  const frame = height * frameW;
  const wide = Math.max(image, frame);
  const narrow = Math.min(image, frame);
  if (100 * wide <= (100 + FRAME_FIT_TOLERANCE_PERCENT) * narrow) return undefined;
  const percent = Math.round((wide / narrow - 1) * 100);
  if (image > frame) {
    // Wider than the video: the frame takes the image's full height and the middle of its width.
    const share = frame / image;
    return { percent, cut: 'sides', crop: { x: (1 - share) / 2, y: 0, width: share, height: 1 } };
  }
  const share = image / frame;
  return { percent, cut: 'top and bottom', crop: { x: 0, y: (1 - share) / 2, width: 1, height: share } };
}

/** The warning, in words: how far apart, that the service will crop it, and how much of the image is kept. */
export function frameMisfitMessage(label: string, width: number, height: number, aspectRatio: string, misfit: FrameMisfit): string {
  const kept = Math.round((misfit.cut === 'sides' ? misfit.crop.width : misfit.crop.height) * 100);
  return `${label} is ${width}×${height}, ${misfit.percent} % ${misfit.cut === 'sides' ? 'wider' : 'taller'} than the video's ${aspectRatio}: the service will crop it, keeping about ${kept} % of its ${misfit.cut === 'sides' ? 'width' : 'height'} (its ${misfit.cut} are cut). Use an image of the video's shape, or change aspect_ratio`;
}
