import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { canonicalJson } from '../request/requestHash';
import type { StoryboardElement } from '../storyboard/storyboardSchema';

/**
 * What identifies an element: its text and the content of its images (not their paths or upload URLs), so the same
 * character defined in two storyboards, or in the composer and then saved into a storyboard, is one element.
 * `hashFile` hashes a local image given as the element wrote it.
 */
export async function elementDefinitionHash(element: StoryboardElement, hashFile: (reference: string) => Promise<string>): Promise<string> {
  const image = async (reference: string) => (/^https:\/\//.test(reference) ? reference : `local:${await hashFile(reference)}`);
  const definition = {
    name: element.name,
    description: element.description,
    frontal_image: await image(element.frontal_image),
    refer_images: await Promise.all(element.refer_images.map(image)),
  };
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

/** The sha256 of a file, as hex. */
export function sha256File(filePath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(filePath)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** A hashFile for references relative to `base` (a storyboard's folder), each file hashed once. */
export function fileHasher(base: string, hash: (absolutePath: string) => Promise<string> = sha256File): (reference: string) => Promise<string> {
  const hashes = new Map<string, Promise<string>>();
  return (reference) => {
    const absolute = path.resolve(base, reference);
    let hashed = hashes.get(absolute);
    if (!hashed) hashes.set(absolute, (hashed = hash(absolute)));
    return hashed;
  };
}
