/** The frames a video request may carry, with what a person calls them. Apart from refreshUploads.ts, which uploads:
 * the activation bundle names them (the confirmation's list of what is sent) without loading the HTTP client. */
export const FRAME_FIELDS = [
  ['image_start', 'first frame'],
  ['image_end', 'last frame'],
] as const;
export type FrameField = (typeof FRAME_FIELDS)[number][0];
