export interface MultipartFile {
  fieldName: string;
  fileName: string | undefined;
  bytes: Buffer;
}

export type MultipartResult = { ok: true; file: MultipartFile } | { ok: false; message: string };

/**
 * The file of a `multipart/form-data` body (RFC 7578): the first part with a `filename`, else the only part. The
 * simulator reads whole bodies (uploads are limited to 100 MB and kept in memory anyway), so a plain search for the
 * boundary is enough; no streaming parser is needed.
 */
export function parseMultipartFile(body: Buffer, contentType: string | undefined): MultipartResult {
  const boundary = /^multipart\/form-data\s*;.*?\bboundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? '');
  if (!boundary) return { ok: false, message: 'The upload must be multipart/form-data with a boundary' };
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`, 'latin1');

  const parts: MultipartFile[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    let start = at + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // "--": the closing delimiter
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const headerEnd = body.indexOf('\r\n\r\n', start, 'latin1');
    if (headerEnd < 0) return { ok: false, message: 'A part of the multipart body has no end of headers' };
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n', 'latin1'), delimiter]), headerEnd + 4);
    if (next < 0) return { ok: false, message: 'The multipart body has no closing boundary' };
    const headers = body.toString('utf8', start, headerEnd);
    const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? '';
    parts.push({
      fieldName: /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '',
      fileName: /\bfilename="([^"]*)"/i.exec(disposition)?.[1],
      bytes: body.subarray(headerEnd + 4, next),
    });
    at = next + 2;
  }
  const file = parts.find((part) => part.fileName !== undefined) ?? (parts.length === 1 ? parts[0] : undefined);
  if (!file) return { ok: false, message: parts.length === 0 ? 'The multipart body has no parts' : 'The multipart body has no file field' };
  return { ok: true, file };
}
