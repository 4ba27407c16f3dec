import * as path from 'node:path';

// Kling Preview's "Copy HTML": the `<video>` element a front-end developer pastes next to a saved clip. Muted is what
// lets browsers autoplay it, playsinline keeps it in the page on phones, loop because such clips are loops or hero
// backgrounds; width and height are the file's own, so the page reserves the box before the video loads.

/** Folders whose contents a site serves from its root (Vite, Next.js, Create React App, Astro: public; SvelteKit, Hugo, Gatsby: static). */
export const PUBLIC_FOLDER_NAMES: readonly string[] = ['public', 'static'];

export interface VideoSnippetInput {
  /** The video file. */
  videoPath: string;
  /** The workspace folder it is in, if any: `src` is written relative to it. */
  workspaceRoot: string | undefined;
  /** The video's frame size; 0 when unknown (the attributes are then left out). */
  width: number;
  height: number;
  /** `<name>.jpg` exists beside the video: it becomes the poster. */
  hasPoster: boolean;
}

export interface VideoSnippet {
  html: string;
  src: string;
  poster: string | undefined;
  /** What `src` is relative to: a served folder (an absolute URL path from the site's root), the workspace, or neither (the file's name). */
  base: { kind: 'public'; folder: string } | { kind: 'workspace' } | { kind: 'file' };
}

/** The poster a video would have: `<name>.jpg` beside `<name>.mp4`. */
export function posterPathOf(videoPath: string): string {
  return path.join(path.dirname(videoPath), `${path.basename(videoPath, path.extname(videoPath))}.jpg`);
}

/**
 * The snippet for a video: `src` from the site's root when the video is inside an obvious served folder of the
 * workspace (a `public/` or `static/` folder above it, the outermost), else relative to the workspace, else the file's name.
 */
export function videoSnippet(input: VideoSnippetInput): VideoSnippet {
  const { videoPath, workspaceRoot } = input;
  const inside = workspaceRoot !== undefined ? path.relative(workspaceRoot, videoPath) : undefined;
  const inWorkspace = inside !== undefined && inside !== '' && !inside.startsWith('..') && !path.isAbsolute(inside);
  let base: VideoSnippet['base'] = { kind: 'file' };
  let parts = [path.basename(videoPath)];
  if (inWorkspace) {
    const segments = inside.split(path.sep);
    // The outermost: in public/static/clip.mp4 the site serves public/, and static/ is a folder of it.
    const served = segments.slice(0, -1).findIndex((s) => PUBLIC_FOLDER_NAMES.includes(s));
    if (served >= 0) {
      base = { kind: 'public', folder: segments.slice(0, served + 1).join('/') };
      parts = ['', ...segments.slice(served + 1)];
    } else {
      base = { kind: 'workspace' };
      parts = segments;
    }
  }
  const src = parts.map(encodeURIComponent).join('/');
  const poster = input.hasPoster ? [...parts.slice(0, -1), path.basename(posterPathOf(videoPath))].map(encodeURIComponent).join('/') : undefined;
  const size = input.width > 0 && input.height > 0 ? ` width="${input.width}" height="${input.height}"` : '';
  const html = `<video src="${attribute(src)}"${poster ? ` poster="${attribute(poster)}"` : ''}${size} autoplay muted loop playsinline></video>`;
  return { html, src, poster, base };
}

function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
