import { stat } from 'node:fs/promises';
import { imageSizeFromFile } from 'image-size/fromFile';

// docs/service-contract.md, "Image-to-video": JPEG or PNG, at most 10 MB, at least 300 px on the short side, aspect
// between 1:2.5 and 2.5:1. Checked before upload so that a bad frame costs nothing and says what to fix.
export const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
export const IMAGE_MIN_SHORT_SIDE = 300;
export const IMAGE_MAX_ASPECT = 2.5;

export interface ImageFacts {
  type: 'jpeg' | 'png';
  width: number;
  height: number;
  bytes: number;
}

/** The facts of a local image, or the reason it cannot be used as a frame. */
export async function checkImageFile(filePath: string, label: string): Promise<{ ok: true; image: ImageFacts } | { ok: false; problem: string }> {
  let bytes: number;
  try {
    const info = await stat(filePath);
    if (!info.isFile()) return { ok: false, problem: `${label} is not a file` };
    bytes = info.size;
  } catch {
    return { ok: false, problem: `${label} not found` };
  }
  if (bytes > IMAGE_MAX_BYTES) {
    return { ok: false, problem: `${label} is ${(bytes / 1024 / 1024).toFixed(1)} MB; images are at most 10 MB` };
  }
  let size: { type?: string | undefined; width: number; height: number };
  try {
    size = await imageSizeFromFile(filePath);
  } catch {
    return { ok: false, problem: `${label} is not a JPEG or PNG image (its content is not an image this check recognises)` };
  }
  const type = size.type === 'jpg' ? 'jpeg' : size.type === 'png' ? 'png' : undefined;
  if (!type) return { ok: false, problem: `${label} is a ${String(size.type).toUpperCase()} image; use a JPEG or PNG` };
  const { width, height } = size;
  const short = Math.min(width, height);
  if (short < IMAGE_MIN_SHORT_SIDE) {
    return { ok: false, problem: `${label} is ${width}×${height}; the short side must be at least ${IMAGE_MIN_SHORT_SIDE} px` };
  }
  const aspect = Math.max(width, height) / short;
  if (aspect > IMAGE_MAX_ASPECT) {
    return { ok: false, problem: `${label} is ${width}×${height}; the aspect must be between 1:2.5 and 2.5:1` };
  }
  return { ok: true, image: { type, width, height, bytes } };
}
