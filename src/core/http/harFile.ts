import { z } from 'zod';

// HTTP Archive 1.2 (W3C Web Performance group's draft, as browsers write it): what `--record FILE` writes and
// `kling simulate --replay FILE` reads. Every field the format requires is here; fields a reader may not need are
// kept loose, so that a HAR saved by a browser or a proxy replays too. Our own additions start with `_`, as the
// format asks of extensions.

const NameValue = z.looseObject({ name: z.string(), value: z.string(), comment: z.string().optional() });

export const HarPostData = z.looseObject({
  mimeType: z.string(),
  text: z.string().optional(),
  params: z.array(z.looseObject({ name: z.string(), value: z.string().optional(), fileName: z.string().optional(), contentType: z.string().optional() })).optional(),
  comment: z.string().optional(),
});

export const HarRequest = z.looseObject({
  method: z.string(),
  url: z.string(),
  httpVersion: z.string(),
  cookies: z.array(z.looseObject({ name: z.string(), value: z.string() })),
  headers: z.array(NameValue),
  queryString: z.array(NameValue),
  postData: HarPostData.optional(),
  headersSize: z.number().int(),
  bodySize: z.number().int(),
  comment: z.string().optional(),
});

export const HarContent = z.looseObject({
  size: z.number().int(),
  mimeType: z.string(),
  text: z.string().optional(),
  encoding: z.string().optional(),
  comment: z.string().optional(),
});

export const HarResponse = z.looseObject({
  status: z.number().int(),
  statusText: z.string(),
  httpVersion: z.string(),
  cookies: z.array(z.looseObject({ name: z.string(), value: z.string() })),
  headers: z.array(NameValue),
  content: HarContent,
  redirectURL: z.string(),
  headersSize: z.number().int(),
  bodySize: z.number().int(),
  comment: z.string().optional(),
  /** Ours: why no answer came (a reset, a time-out); the status is then 0, as browsers record it. */
  _error: z.string().optional(),
});

export const HarEntry = z.looseObject({
  startedDateTime: z.string(),
  time: z.number().min(0),
  request: HarRequest,
  response: HarResponse,
  cache: z.looseObject({}),
  timings: z.looseObject({ send: z.number(), wait: z.number(), receive: z.number() }),
  comment: z.string().optional(),
});

export const Har = z.looseObject({
  log: z.looseObject({
    version: z.string(),
    creator: z.looseObject({ name: z.string(), version: z.string() }),
    entries: z.array(HarEntry),
    comment: z.string().optional(),
  }),
});

export type HarPostData = z.infer<typeof HarPostData>;
export type HarRequest = z.infer<typeof HarRequest>;
export type HarResponse = z.infer<typeof HarResponse>;
export type HarEntry = z.infer<typeof HarEntry>;
export type Har = z.infer<typeof Har>;

/** What stands for a body that was left out on purpose (uploads, videos): the size is kept, the bytes are not. */
export const LEFT_OUT = '[left out]';
