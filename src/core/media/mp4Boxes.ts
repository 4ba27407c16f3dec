import type { FileHandle } from 'node:fs/promises';

/** One box at the top level of an ISO BMFF (MP4, MOV) file, as its header declares it. */
export interface TopLevelBox {
  /** Four-character type, e.g. `ftyp`, `moov`, `mdat`. */
  type: string;
  /** Byte offset of the box header in the file. */
  offset: number;
  /** Declared size in bytes, header included. */
  size: number;
}

/** Why a file's top-level box structure cannot be walked. */
export type TopLevelBoxProblem =
  /** The first bytes are not an ISO BMFF box header, or a box header is malformed. */
  | { kind: 'not-mp4'; detail: string }
  /** A box declares more bytes than the file has: the file was cut short (an interrupted download or copy). */
  | { kind: 'truncated'; detail: string; box: TopLevelBox };

export type TopLevelBoxes = { ok: true; boxes: TopLevelBox[] } | { ok: false; problem: TopLevelBoxProblem };

// Types that may open an ISO BMFF file. A file whose first box is anything else is taken as not an MP4, so that a
// random file is reported as such rather than as a "truncated" one.
const OPENING_TYPES = new Set(['ftyp', 'styp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pdin', 'uuid', 'meta', 'sidx']);
const MAX_TOP_LEVEL_BOXES = 100_000;

/**
 * Reads only the box headers at the top level of a file (8 or 16 bytes each, seeking past the payloads), so even a
 * many-gigabyte file costs a few small reads. Used to find where `moov` is (fast start means before `mdat`) and to
 * tell a truncated file from a complete one, which a parser that only reads `moov` cannot see when `moov` comes first.
 */
export async function readTopLevelBoxes(file: FileHandle, fileSize: number): Promise<TopLevelBoxes> {
  const boxes: TopLevelBox[] = [];
  const header = Buffer.alloc(16);
  let offset = 0;
  while (offset < fileSize) {
    if (boxes.length >= MAX_TOP_LEVEL_BOXES) {
      return { ok: false, problem: { kind: 'not-mp4', detail: `more than ${MAX_TOP_LEVEL_BOXES} top-level boxes` } };
    }
    const { bytesRead } = await file.read(header, 0, 16, offset);
    const atStart = boxes.length === 0;
    if (bytesRead < 8) {
      return atStart
        ? { ok: false, problem: { kind: 'not-mp4', detail: `the file has only ${fileSize} bytes` } }
        : truncatedAt({ type: '????', offset, size: 8 }, fileSize);
    }
    const type = header.toString('latin1', 4, 8);
    if (!/^[\x20-\x7e]{4}$/.test(type) || (atStart && !OPENING_TYPES.has(type))) {
      return {
        ok: false,
        problem: { kind: 'not-mp4', detail: atStart ? 'it does not start with an MP4 box' : `unreadable box at byte ${offset}` },
      };
    }
    let size = header.readUInt32BE(0);
    let headerSize = 8;
    if (size === 1) {
      // A 64-bit "largesize" follows the type: used by boxes over 4 GiB, typically mdat.
      if (bytesRead < 16) return truncatedAt({ type, offset, size: 16 }, fileSize);
      const large = header.readBigUInt64BE(8);
      if (large > BigInt(Number.MAX_SAFE_INTEGER)) {
        return { ok: false, problem: { kind: 'not-mp4', detail: `box '${type}' at byte ${offset} declares an impossible size` } };
      }
      size = Number(large);
      headerSize = 16;
    } else if (size === 0) {
      // Size 0: the box runs to the end of the file (allowed for the last box only).
      size = fileSize - offset;
    }
    if (size < headerSize) {
      return { ok: false, problem: { kind: 'not-mp4', detail: `box '${type}' at byte ${offset} declares ${size} bytes` } };
    }
    const box = { type, offset, size };
    if (offset + size > fileSize) return truncatedAt(box, fileSize);
    boxes.push(box);
    offset += size;
  }
  if (boxes.length === 0) return { ok: false, problem: { kind: 'not-mp4', detail: 'the file is empty' } };
  return { ok: true, boxes };
}

function truncatedAt(box: TopLevelBox, fileSize: number): TopLevelBoxes {
  const missing = box.offset + box.size - fileSize;
  return {
    ok: false,
    problem: {
      kind: 'truncated',
      detail: `box '${box.type}' at byte ${box.offset} needs ${box.size} bytes but the file ends ${missing} bytes short`,
      box,
    },
  };
}
