import { DownloadError } from '../download/downloadFile';
import { errorText } from '../text/errorText';

/**
 * What a failed download of a paid video says to its user: what went wrong, that nothing is lost (the task is paid
 * for and its link still works until `linkEndsMs`), and what will help. Never "render again": that would pay twice.
 */
export function downloadFailureMessage(error: unknown, linkEndsMs: number): string {
  const until = new Date(linkEndsMs).toISOString().slice(0, 16).replace('T', ' ');
  const code = codeOf(error);
  const paid = `The video is paid for and its link works until ${until} UTC`;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return `The disk is full. ${paid}: free some disk space, then run \`kling download\` (or Download Again in the Tasks view).`;
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return `The video could not be written (${code}: ${errorText(error)}). ${paid}: make its folder writable, then run \`kling download\` (or Download Again).`;
  }
  const what = error instanceof DownloadError ? errorText(error) : `The download failed: ${errorText(error)}`;
  return `${what.replace(/\.$/, '')}. ${paid}: it is tried again while that lasts, or now with \`kling download\` (or Download Again).`;
}

function codeOf(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

