import * as z from 'zod/mini';

// zod's mini API: the journal, which the editor reads while it activates, carries these (docs/architecture.md, "Two
// editor bundles"); the sidecar's classic schema takes them as they are.

/**
 * One local image as it was uploaded for a task: where it came from, what it was (its content hash), and the link
 * the Files API gave it until it expires. Kept in the journal entry and the sidecar, so that Regenerate and Retry can
 * tell a link still good from one to upload again, and a source that changed from one that did not.
 */
export const UploadRecord = z.object({
  /** The request field the link was sent in: `image_start`, `image_end`. */
  field: z.string(),
  /** The local file, relative to the workspace folder, with `/` between folders. */
  source: z.string(),
  /** Of the bytes that were uploaded, as hex. */
  sha256: z.string(),
  url: z.string(),
  /** When the Files API stops serving it (ISO time): 72 hours after the upload (docs/service-contract.md, "Files"). */
  expiresAt: z.string(),
  /** Which Files API holds it (its address; a simulator's run): a link is no use to another backend. */
  uploadedTo: z.string(),
});
export type UploadRecord = z.infer<typeof UploadRecord>;
