import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'undici';
import { SIMULATOR_API_KEY, startSimulator, type Simulator, type SimulatorOptions } from '../../../src/core/simulator/simulatorServer';

/** A clock the test moves by hand, so that a task's life is walked through without sleeping. */
export class FakeClock {
  ms = Date.UTC(2026, 0, 15, 12, 0, 0);
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
  text: string;
  /** The body as JSON, or undefined if it is not JSON. */
  json: any;
}

export interface CallOptions {
  body?: unknown;
  /** The Bearer key; null sends no Authorization header. Default the simulator's key. */
  key?: string | null;
  headers?: Record<string, string>;
}

/** One request over real HTTP; the body is sent as JSON unless it is a string or bytes. */
export async function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? SIMULATOR_API_KEY : options.key;
  if (key !== null) headers['authorization'] = `Bearer ${key}`;
  let body: string | Buffer | undefined;
  if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) body = options.body;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await request(new URL(path, baseUrl), { method: method as 'GET', headers, body: body ?? null });
  const bytes = Buffer.from(await response.body.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, bytes, text, json };
}

export const TEXT_TO_VIDEO = 'kling-v3-text-to-video';

export function videoRequest(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: TEXT_TO_VIDEO, prompt: 'A red fox runs through fresh snow at dawn', ...fields };
}

export function elementRequest(description = 'A small red fox with a white tail'): Record<string, unknown> {
  return {
    model: 'kling-custom-element',
    model_params: {
      element_name: 'Fox',
      element_description: description,
      reference_type: 'image_refer',
      element_image_list: { frontal_image: 'https://example.com/fox.png', refer_images: [{ image_url: 'https://example.com/fox-side.png' }] },
    },
  };
}

/** Creates a task and returns its body, failing the test on anything but 200. */
export async function createTask(sim: Simulator, body: unknown = videoRequest()): Promise<any> {
  const answer = await call(sim.baseUrl, 'POST', '/v1/videos/generations', { body });
  if (answer.status !== 200) throw new Error(`create answered ${answer.status}: ${answer.text}`);
  return answer.json;
}

export async function getTask(sim: Simulator, id: string): Promise<any> {
  const answer = await call(sim.baseUrl, 'GET', `/v1/tasks/${id}`);
  if (answer.status !== 200) throw new Error(`task query answered ${answer.status}: ${answer.text}`);
  return answer.json;
}

/** Starts a simulator for one test file; `after(() => sim.close())` is the caller's. */
export function start(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ timeScale: 10, ...options });
}
