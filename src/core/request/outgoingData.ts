import type { CreateRequest } from '../api/apiSchemas';
import type { PlannedVideo, StoryboardPlan } from '../render/storyboardPlan';
import { FRAME_FIELDS } from '../uploads/frameFields';
import type { UploadRefreshPlan } from '../uploads/refreshUploads';

/**
 * What a create sends besides its words and settings (issue 10, item 10): the images — local files uploaded from
 * this machine first, or links the service fetches — and any `callback_url`, where the service will post the
 * task's result. The confirmation shows these before anything is spent.
 */
export interface OutgoingData {
  images: OutgoingImage[];
  callbacks: OutgoingCallback[];
}

export interface OutgoingImage {
  /** As the user wrote it: a path relative to the storyboard, or a URL. */
  reference: string;
  /** A local file, uploaded with the Files API before the create. */
  uploaded: boolean;
  /** What happens to it this time, when there is more to say: "its link has expired: uploaded again". */
  note?: string | undefined;
  /** What it is used as, and by whom: `first frame` of `hero`, `front image` of `element "mascot"`; no one for one video. */
  uses: Array<{ role: Role; owners: string[] }>;
}

export interface OutgoingCallback {
  url: string;
  /** The videos that name it (empty for a single generation). */
  videos: string[];
}

export type Role = 'first frame' | 'last frame' | 'front image' | 'reference image';

/** What rendering `toRender` sends: their frames, the images of elements not created yet, their callback URLs. */
export function outgoingOfPlan(plan: Pick<StoryboardPlan, 'elements'>, toRender: readonly PlannedVideo[]): OutgoingData {
  const data = new OutgoingCollector();
  const needed = new Set(toRender.flatMap((video) => video.spec.elements ?? []));
  for (const { element, elementId } of plan.elements) {
    if (elementId !== undefined || !needed.has(element.name)) continue;
    data.image(element.frontal_image, 'front image', `element "${element.name}"`);
    for (const image of element.refer_images) data.image(image, 'reference image', `element "${element.name}"`);
  }
  for (const video of toRender) {
    if (video.spec.image) data.image(video.spec.image, 'first frame', video.name);
    if (video.spec.end_image) data.image(video.spec.end_image, 'last frame', video.name);
    if (video.spec.callback_url) data.callback(video.spec.callback_url, video.name);
  }
  return data.result();
}

/** What one create request sends (Generate, Retry, Regenerate): its images are links by now, already uploaded. */
export function outgoingOfRequest(request: CreateRequest): OutgoingData {
  const data = new OutgoingCollector();
  if (request.model === 'kling-custom-element') {
    const list = request.model_params.element_image_list;
    data.image(list.frontal_image, 'front image');
    for (const image of list.refer_images) data.image(image.image_url, 'reference image');
  } else {
    if (request.image_start) data.image(request.image_start, 'first frame');
    if (request.image_end) data.image(request.image_end, 'last frame');
    if (request.callback_url) data.callback(request.callback_url);
  }
  return data.result();
}

/**
 * What sending a request again sends (Regenerate, Retry), once its frames are planned (refreshUploads.ts): a frame
 * uploaded before is named by its source, with whether its link is reused or the file uploaded again.
 */
export function outgoingOfRefresh(request: CreateRequest, plan: Extract<UploadRefreshPlan, { ok: true }>): OutgoingData {
  const data = new OutgoingCollector();
  for (const frame of plan.frames) {
    const role = FRAME_FIELDS.find(([field]) => field === frame.field)![1];
    if (frame.action === 'keep') {
      if (frame.record) data.image(frame.record.source, role, undefined, `uploaded earlier from this machine; its link is good until ${shortTime(frame.record.expiresAt)}`);
      else data.image(frame.url, role);
    } else if (frame.action === 'upload') {
      data.image(frame.source, role, undefined, `${frame.why}: uploaded again from this machine`);
    } else {
      data.image(frame.source, role, undefined, 'the file you picked, uploaded from this machine');
    }
  }
  if (request.model !== 'kling-custom-element' && request.callback_url) data.callback(request.callback_url);
  return data.result();
}

function shortTime(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : time.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

class OutgoingCollector {
  private readonly images = new Map<string, OutgoingImage>();
  private readonly callbacks = new Map<string, OutgoingCallback>();

  image(reference: string, role: Role, owner?: string, note?: string): void {
    let image = this.images.get(reference);
    if (!image) this.images.set(reference, (image = { reference, uploaded: !/^https?:\/\//i.test(reference), uses: [], ...(note ? { note } : {}) }));
    let use = image.uses.find((u) => u.role === role);
    if (!use) image.uses.push((use = { role, owners: [] }));
    if (owner && !use.owners.includes(owner)) use.owners.push(owner);
  }

  callback(url: string, video?: string): void {
    let callback = this.callbacks.get(url);
    if (!callback) this.callbacks.set(url, (callback = { url, videos: [] }));
    if (video) callback.videos.push(video);
  }

  result(): OutgoingData {
    return { images: [...this.images.values()], callbacks: [...this.callbacks.values()] };
  }
}
