import { stat } from 'node:fs/promises';
import { imageSize } from 'image-size';
import { imageSizeFromFile } from 'image-size/fromFile';

// docs/service-contract.md, "Image-to-video": JPEG or PNG, at most 10 MB, at least 300 px on the short side, aspect
// between 1:2.5 and 2.5:1 (both ends allowed). Checked before upload so that a bad frame costs nothing and says what
// to fix; the simulator holds its uploads to the same rules (src/core/simulator/frameRules.ts), so a client that
// skipped this check would be caught by the tests.
export const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
export const IMAGE_MIN_SHORT_SIDE = 300;
export const IMAGE_MAX_ASPECT = 2.5;

export interface ImageFacts {
  type: 'jpeg' | 'png';
  width: number;
  height: number;
  bytes: number;
}

/** What a file's header says, before the rules: any type image-size knows (gif, webp, …), or none. */
export interface ImageHeader {
  type: string | undefined;
  width: number;
  height: number;
  bytes: number;
}

export type ImageCheck = { ok: true; image: ImageFacts } | { ok: false; problem: string };

/** The facts of a local image, or the reason it cannot be used as a frame. */
export async function checkImageFile(filePath: string, label: string): Promise<ImageCheck> {
  let bytes: number;
  try {
    const info = await stat(filePath);
    if (!info.isFile()) return { ok: false, problem: `${label} is not a file` };
    bytes = info.size;
  } catch {
    return { ok: false, problem: `${label} not found` };
  }
  // Refused before its header is read: a 2 GB file named .png is not read at all.
  if (bytes > IMAGE_MAX_BYTES) return { ok: false, problem: tooLarge(label, bytes) };
  let size: { type?: string | undefined; width: number; height: number };
  try {
    size = await imageSizeFromFile(filePath);
  } catch {
    return { ok: false, problem: notAnImage(label) };
  }
  return imageRuleCheck({ type: size.type, width: size.width, height: size.height, bytes }, label);
}

/** The same check on bytes already in memory (an upload the simulator holds, a file dropped from the OS). */
export function checkImageBytes(bytes: Uint8Array, label: string): ImageCheck {
  if (bytes.byteLength > IMAGE_MAX_BYTES) return { ok: false, problem: tooLarge(label, bytes.byteLength) };
  let size: { type?: string | undefined; width: number; height: number };
  try {
    size = imageSize(bytes);
  } catch {
    return { ok: false, problem: notAnImage(label) };
  }
  return imageRuleCheck({ type: size.type, width: size.width, height: size.height, bytes: bytes.byteLength }, label);
}

/** The service's rules for a frame, on what a header says. Integer arithmetic, so 300×750 is exactly 1:2.5 and allowed. */
export function imageRuleCheck(header: ImageHeader, label: string): ImageCheck {
  const { width, height, bytes } = header;
  if (bytes > IMAGE_MAX_BYTES) return { ok: false, problem: tooLarge(label, bytes) };
  const type = header.type === 'jpg' || header.type === 'jpeg' ? 'jpeg' : header.type === 'png' ? 'png' : undefined;
  if (!type) {
    return { ok: false, problem: header.type ? `${label} is a ${header.type.toUpperCase()} image; use a JPEG or PNG` : notAnImage(label) };
  }
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  if (short < IMAGE_MIN_SHORT_SIDE) {
    return { ok: false, problem: `${label} is ${width}×${height}; the short side must be at least ${IMAGE_MIN_SHORT_SIDE} px` };
  }
  // long / short ≤ 2.5, as 2 × long ≤ 5 × short.
  if (2 * long > 5 * short) {
    return { ok: false, problem: `${label} is ${width}×${height}; the aspect must be between 1:2.5 and 2.5:1` };
  }
  return { ok: true, image: { type, width, height, bytes } };
}

function tooLarge(label: string, bytes: number): string {
  // Never rounded down to "10.0 MB": a file one byte over the limit must not read as within it.
  const shown = bytes / 1024 / 1024;
  return `${label} is ${shown < 10.05 ? `${bytes.toLocaleString('en-US')} bytes` : `${shown.toFixed(1)} MB`}; images are at most 10 MB (${IMAGE_MAX_BYTES.toLocaleString('en-US')} bytes)`;
}

function notAnImage(label: string): string {
  return `${label} is not a JPEG or PNG image (its content is not an image this check recognises)`;
}
