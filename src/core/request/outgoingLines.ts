import type { OutgoingData } from './outgoingData';

/** Beyond this many images the list ends with a count: a confirmation must stay readable. */
export const OUTGOING_IMAGES_SHOWN = 10;

/**
 * The lines a confirmation shows about what leaves this machine with a create, or none when only words and
 * settings do:
 *
 *     Images sent:
 *     · assets/logo.png (uploaded from this machine): first frame of hero, spin
 *     · https://cdn.example.com/end.png: last frame of hero
 *     The service will post each result to https://hooks.example.com/kling (callback_url of hero)
 */
export function outgoingLines(data: OutgoingData): string[] {
  const lines: string[] = [];
  if (data.images.length) {
    lines.push(data.images.length === 1 ? 'Image sent:' : 'Images sent:');
    for (const image of data.images.slice(0, OUTGOING_IMAGES_SHOWN)) {
      const uses = image.uses.map((use) => (use.owners.length ? `${use.role} of ${use.owners.join(', ')}` : use.role)).join('; ');
      const how = image.note ? ` (${image.note})` : image.uploaded ? ' (uploaded from this machine)' : '';
      lines.push(`· ${image.reference}${how}: ${uses}`);
    }
    const rest = data.images.slice(OUTGOING_IMAGES_SHOWN);
    if (rest.length) {
      const uploaded = rest.filter((image) => image.uploaded).length;
      lines.push(`· and ${rest.length} more${uploaded ? ` (${uploaded} uploaded from this machine)` : ''}`);
    }
  }
  for (const callback of data.callbacks) {
    const whose = callback.videos.length ? ` (callback_url of ${callback.videos.join(', ')})` : ' (callback_url)';
    lines.push(`The service will post ${callback.videos.length > 1 ? 'each result' : 'the result'} to ${callback.url}${whose}`);
  }
  return lines;
}
