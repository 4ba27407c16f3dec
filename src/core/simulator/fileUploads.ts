import { randomBytes } from 'node:crypto';
import type { Exchange } from './exchange';
import { sniffImageType, type ImageType } from './imageType';
import { parseMultipartFile } from './multipartFile';
import type { SimulatorContext } from './simulatorContext';
import { errorText } from '../text/errorText';

export const UPLOAD_STREAM_PATH = '/api/v1/files/upload/stream';
export const UPLOAD_BASE64_PATH = '/api/v1/files/upload/base64';
export const UPLOADS_PATH_PREFIX = '/files/uploads/';

/** Room for the multipart headers and boundaries, or the JSON around the base64 text, on top of the file itself. */
const ENVELOPE_BYTES = 1 << 20;

interface StoredFile {
  id: string;
  bytes: Buffer;
  type: ImageType;
  fileName: string;
  uploadedMs: number;
}

/**
 * The Files API (docs/service-contract.md, "Files"), in memory. Two ways in:
 * - `POST /api/v1/files/upload/stream`: multipart/form-data with one file field (any field name);
 * - `POST /api/v1/files/upload/base64`: JSON `{"base64_data": "<base64 or data: URL>", "file_name": "x.png"}`
 *   (`file_name` optional; other fields are ignored).
 * Both answer `{"success": true, "data": {"file_id", "file_name", "file_url", "mime_type", "file_size", "expires_at"}}`,
 * and the file is served at `file_url` without a key (the service fetches it from there) until it expires.
 * Uploads are not written to the state file: they end with the simulator (their links name its port, which the
 * next simulator does not have), and a client uploads again; tasks that named them keep working.
 */
export class FileUploads {
  private readonly files = new Map<string, StoredFile>();

  constructor(private readonly ctx: SimulatorContext) {}

  async upload(ex: Exchange, via: 'stream' | 'base64'): Promise<void> {
    const max = this.ctx.maxUploadBytes;
    const limit = via === 'stream' ? max + ENVELOPE_BYTES : Math.ceil(max / 3) * 4 + ENVELOPE_BYTES;
    const body = await ex.readBody(limit);
    if (!body.ok) {
      if (body.reason === 'too-large') ex.error(413, tooLarge(max));
      return;
    }
    const received = via === 'stream' ? fromMultipart(body.bytes, ex.req.headers['content-type']) : fromBase64Json(body.bytes);
    if (!received.ok) {
      ex.error(400, { message: received.message, param: received.param });
      return;
    }
    const { bytes, fileName } = received;
    if (bytes.byteLength > max) {
      ex.error(413, tooLarge(max));
      return;
    }
    if (bytes.byteLength === 0) {
      ex.error(400, { message: 'The file is empty', param: 'file' });
      return;
    }
    const type = sniffImageType(bytes);
    if (!type) {
      // decided: 400 with param "file"; the documentation names the accepted types but not the refusal.
      ex.error(400, { message: 'Only JPEG, PNG, GIF and WebP images can be uploaded', param: 'file', fallbackSuggestion: 'convert the image to JPEG or PNG' });
      return;
    }
    const id = randomBytes(12).toString('hex');
    const stored: StoredFile = { id, bytes: Buffer.from(bytes), type, fileName: fileName ?? `${id}.${type.extension}`, uploadedMs: this.ctx.now() };
    this.files.set(id, stored);
    ex.json(200, {
      success: true,
      data: {
        file_id: id,
        file_name: stored.fileName,
        file_url: `${this.ctx.baseUrl}${UPLOADS_PATH_PREFIX}${id}.${type.extension}`,
        mime_type: type.mime,
        file_size: stored.bytes.byteLength,
        expires_at: new Date(stored.uploadedMs + this.ctx.uploadTtlMs).toISOString(),
      },
    });
  }

  serve(ex: Exchange, name: string): void {
    const file = this.live(name);
    if (!file) {
      ex.error(404, { message: 'File not found or expired' });
      return;
    }
    ex.send(200, file.type.mime, file.bytes);
  }

  /**
   * What a link in a create names, as the service would find it when it fetches the link: the bytes of a live upload
   * of this simulator, `gone` for one of its links that no longer serves (expired, or never uploaded), `not-ours`
   * for any other link.
   */
  lookup(url: string): Buffer | 'gone' | 'not-ours' {
    const prefix = `${this.ctx.baseUrl}${UPLOADS_PATH_PREFIX}`;
    if (!url.startsWith(prefix)) return 'not-ours';
    return this.live(url.slice(prefix.length))?.bytes ?? 'gone';
  }

  private live(name: string): StoredFile | undefined {
    const match = /^([0-9a-f]{24})\.[a-z]+$/.exec(name);
    const file = match ? this.files.get(match[1]!) : undefined;
    if (file && this.ctx.now() >= file.uploadedMs + this.ctx.uploadTtlMs) {
      // Expired files are dropped so that a long benchmark does not keep every upload.
      this.files.delete(file.id);
      return undefined;
    }
    return file;
  }
}

type Received = { ok: true; bytes: Buffer; fileName: string | undefined } | { ok: false; message: string; param?: string };

function fromMultipart(body: Buffer, contentType: string | undefined): Received {
  const parsed = parseMultipartFile(body, contentType);
  if (!parsed.ok) return { ok: false, message: parsed.message, param: 'file' };
  return { ok: true, bytes: parsed.file.bytes, fileName: parsed.file.fileName || undefined };
}

function fromBase64Json(body: Buffer): Received {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { ok: false, message: `Malformed JSON body: ${errorText(error)}` };
  }
  const fields = (json ?? {}) as Record<string, unknown>;
  const data = fields['base64_data'];
  if (typeof data !== 'string' || data === '') {
    return { ok: false, message: 'base64_data is required: the file as base64 text or a data: URL', param: 'base64_data' };
  }
  const text = data.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return { ok: false, message: 'base64_data is not valid base64', param: 'base64_data' };
  const fileName = fields['file_name'];
  return { ok: true, bytes: Buffer.from(text, 'base64'), fileName: typeof fileName === 'string' && fileName !== '' ? fileName : undefined };
}

function tooLarge(max: number) {
  return { message: `The file is larger than ${formatBytes(max)}`, param: 'file', fallbackSuggestion: `upload a file of at most ${formatBytes(max)}` };
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${bytes} bytes`;
}
