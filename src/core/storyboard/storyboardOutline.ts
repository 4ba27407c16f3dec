import type { Problem } from './storyboardDocument';
import { Storyboard } from './storyboardSchema';
import type { StoryboardCheck } from './validateStoryboard';

export interface TextRange {
  offset: number;
  length: number;
}

export interface VideoOutline {
  index: number;
  /** The video's name when it is text (valid or not). */
  name: string | undefined;
  /** The video's object in the text. */
  range: TextRange;
  /** The name's value (with its quotes), where hovering shows the price and state. */
  nameRange: TextRange | undefined;
  /** Errors inside this video: its fields, shots, images and element references. */
  errors: Problem[];
}

export interface StoryboardOutline {
  videos: VideoOutline[];
  /** Errors outside any one video (syntax, version, defaults, elements, output): they stop every render. */
  fileErrors: Problem[];
  errorCount: number;
  /**
   * What can be priced and rendered now: the whole storyboard when it has no error; else, when nothing outside the
   * videos is wrong, the storyboard with only its videos that have no error; else nothing.
   */
  renderable: Storyboard | undefined;
}

/**
 * Where each video of a checked storyboard is, and which problems are whose: what the editor needs to put a price
 * above each video while another one is still being written.
 */
export function outlineStoryboard(check: StoryboardCheck): StoryboardOutline {
  const { document } = check;
  const errors = check.problems.filter((p) => p.severity === 'error');
  const videosNode = document.node(['videos']);
  const videoNodes = videosNode?.type === 'array' ? (videosNode.children ?? []) : [];
  const videos: VideoOutline[] = videoNodes.map((node, index) => {
    const nameNode = node.type === 'object' ? document.node(['videos', index, 'name']) : undefined;
    return {
      index,
      name: typeof nameNode?.value === 'string' ? nameNode.value : undefined,
      range: { offset: node.offset, length: node.length },
      nameRange: nameNode ? { offset: nameNode.offset, length: nameNode.length } : undefined,
      errors: [],
    };
  });
  const fileErrors: Problem[] = [];
  for (const problem of errors) {
    const index = problem.path[0] === 'videos' && typeof problem.path[1] === 'number' ? problem.path[1] : undefined;
    const video = index === undefined ? undefined : videos[index];
    if (video) video.errors.push(problem);
    else fileErrors.push(problem);
  }
  return { videos, fileErrors, errorCount: errors.length, renderable: renderableOf(check, videos, fileErrors) };
}

function renderableOf(check: StoryboardCheck, videos: VideoOutline[], fileErrors: Problem[]): Storyboard | undefined {
  if (check.storyboard) return check.storyboard;
  if (fileErrors.length > 0) return undefined;
  const value = check.document.value as { videos?: unknown[] };
  const valid = (value.videos ?? []).filter((_, index) => videos[index]?.errors.length === 0);
  if (valid.length === 0) return undefined;
  const parsed = Storyboard.safeParse({ ...value, videos: valid });
  return parsed.success ? parsed.data : undefined;
}

/** The video whose object holds `offset` (the cursor), if any. */
export function videoAt(outline: StoryboardOutline, offset: number): VideoOutline | undefined {
  return outline.videos.find((v) => offset >= v.range.offset && offset <= v.range.offset + v.range.length);
}
