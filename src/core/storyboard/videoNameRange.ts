import { StoryboardDocument } from './storyboardDocument';

/**
 * Where a video's name is written in a storyboard's text (the characters of the name, without the quotes), so the
 * editor can open the storyboard at that video; undefined when no video has that name any more. Works on a file with
 * syntax errors elsewhere too, since jsonc-parser reads past them.
 */
export function videoNameRange(text: string, videoName: string): { offset: number; length: number } | undefined {
  const doc = new StoryboardDocument(text);
  const videos = doc.node(['videos']);
  if (videos?.type !== 'array') return undefined;
  for (const video of videos.children ?? []) {
    const name = video.children?.find((property) => property.children?.[0]?.value === 'name')?.children?.[1];
    if (name?.type === 'string' && name.value === videoName) {
      // The node covers the quotes; escapes inside a name cannot occur ([a-z0-9_-]), so the inside is the name.
      return { offset: name.offset + 1, length: Math.max(0, name.length - 2) };
    }
  }
  return undefined;
}
