/**
 * A video file as served: the rendered MP4, then, when padding is asked for, a `free` box of zeros. A benchmark
 * downloads files of hundreds of megabytes while the rendered video is a few hundred kilobytes; a `free` box keeps
 * the file a valid MP4 that players and mp4Info read as before. The zeros are never held in memory: every read of
 * the padding returns a view of one shared zero buffer.
 */
export class PaddedVideo {
  /** Whole size in bytes, padding included. */
  readonly size: number;
  private readonly paddingHeader: Uint8Array;
  private readonly paddingSize: number;

  /**
   * `paddingBytes` is the size of the whole `free` box, header included (decided: so that a file padded by N bytes
   * is exactly N bytes larger); 1–7 are rounded up to the 8 bytes of the smallest box.
   */
  constructor(
    readonly mp4: Uint8Array,
    paddingBytes: number,
  ) {
    this.paddingSize = paddingBytes > 0 ? Math.max(8, Math.floor(paddingBytes)) : 0;
    this.paddingHeader = freeBoxHeader(this.paddingSize);
    this.size = mp4.byteLength + this.paddingSize;
  }

  /** Up to `max` bytes from `offset` (fewer at a boundary between the parts; loop until done). */
  read(offset: number, max: number): Uint8Array {
    const { mp4 } = this;
    if (offset < mp4.byteLength) return mp4.subarray(offset, Math.min(mp4.byteLength, offset + max));
    const inPadding = offset - mp4.byteLength;
    if (inPadding < this.paddingHeader.byteLength) {
      return this.paddingHeader.subarray(inPadding, Math.min(this.paddingHeader.byteLength, inPadding + max));
    }
    return ZEROS.subarray(0, Math.min(max, ZEROS.byteLength, this.size - offset));
  }
}

const ZEROS = new Uint8Array(1 << 20);

function freeBoxHeader(size: number): Uint8Array {
  if (size === 0) return new Uint8Array(0);
  if (size <= 0xffffffff) {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(size, 0);
    header.write('free', 4, 'latin1');
    return header;
  }
  // Over 4 GiB the 32-bit size cannot say it: size 1 and a 64-bit "largesize" after the type (ISO 14496-12, 4.2).
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1, 0);
  header.write('free', 4, 'latin1');
  header.writeBigUInt64BE(BigInt(size), 8);
  return header;
}
