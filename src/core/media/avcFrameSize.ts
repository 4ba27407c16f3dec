/** Width and height in pixels, after the SPS cropping window is applied. */
export interface FrameSize {
  width: number;
  height: number;
}

/**
 * The frame size that an H.264 decoder will output, read from the first sequence parameter set (SPS) of an `avcC`
 * box body (AVCDecoderConfigurationRecord, ISO/IEC 14496-15 §5.3.3.1). Returns undefined when the record holds no
 * SPS or the SPS cannot be read.
 *
 * Why not trust the track header alone: the width and height in `stsd`/`tkhd` are written by the muxer and can
 * disagree with the stream (a remux that copied the wrong header, a bug of ours in the simulator). The decoder
 * follows the SPS, so a check against it catches what a player would really show.
 */
export function avcFrameSize(avcC: Uint8Array): FrameSize | undefined {
  if (avcC.length < 8 || avcC[0] !== 1) return undefined;
  const spsCount = avcC[5]! & 0x1f;
  if (spsCount === 0) return undefined;
  const spsLength = (avcC[6]! << 8) | avcC[7]!;
  if (8 + spsLength > avcC.length || spsLength < 4) return undefined;
  try {
    return spsFrameSize(unescapeRbsp(avcC.subarray(8, 8 + spsLength)));
  } catch {
    return undefined;
  }
}

// Profiles whose SPS carries chroma format, bit depths and scaling matrices (H.264 §7.3.2.1.1).
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function spsFrameSize(nal: Uint8Array): FrameSize {
  const bits = new BitReader(nal);
  bits.skip(8); // NAL header
  const profileIdc = bits.u(8);
  bits.skip(16); // constraint flags, level_idc
  bits.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = bits.ue();
    if (chromaFormatIdc === 3) separateColourPlane = bits.u(1) === 1;
    bits.ue(); // bit_depth_luma_minus8
    bits.ue(); // bit_depth_chroma_minus8
    bits.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (bits.u(1) === 1) {
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) {
        if (bits.u(1) === 1) skipScalingList(bits, i < 6 ? 16 : 64);
      }
    }
  }
  bits.ue(); // log2_max_frame_num_minus4
  const picOrderCntType = bits.ue();
  if (picOrderCntType === 0) {
    bits.ue(); // log2_max_pic_order_cnt_lsb_minus4
  } else if (picOrderCntType === 1) {
    bits.skip(1); // delta_pic_order_always_zero_flag
    bits.se(); // offset_for_non_ref_pic
    bits.se(); // offset_for_top_to_bottom_field
    const cycle = bits.ue();
    for (let i = 0; i < cycle; i++) bits.se();
  }
  bits.ue(); // max_num_ref_frames
  bits.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = bits.ue() + 1;
  const heightInMapUnits = bits.ue() + 1;
  const frameMbsOnly = bits.u(1);
  if (frameMbsOnly === 0) bits.skip(1); // mb_adaptive_frame_field_flag
  bits.skip(1); // direct_8x8_inference_flag
  let cropLeft = 0;
  let cropRight = 0;
  let cropTop = 0;
  let cropBottom = 0;
  if (bits.u(1) === 1) {
    cropLeft = bits.ue();
    cropRight = bits.ue();
    cropTop = bits.ue();
    cropBottom = bits.ue();
  }
  // Crop units, H.264 §7.4.2.1.1 (equations 7-19 to 7-22).
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaFormatIdc === 3 ? 1 : 2;
  const subHeightC = chromaFormatIdc === 1 ? 2 : 1;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (2 - frameMbsOnly);
  return {
    width: widthInMbs * 16 - cropUnitX * (cropLeft + cropRight),
    height: (2 - frameMbsOnly) * heightInMapUnits * 16 - cropUnitY * (cropTop + cropBottom),
  };
}

function skipScalingList(bits: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + bits.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** Drops the emulation-prevention bytes (the 0x03 in 00 00 03) that the NAL syntax inserts. */
function unescapeRbsp(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.length);
  let n = 0;
  let zeros = 0;
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    out[n++] = byte;
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, n);
}

class BitReader {
  private position = 0;

  constructor(private readonly bytes: Uint8Array) {}

  u(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const byte = this.bytes[this.position >> 3];
      if (byte === undefined) throw new RangeError('SPS ends early');
      value = value * 2 + ((byte >> (7 - (this.position & 7))) & 1);
      this.position++;
    }
    return value;
  }

  skip(count: number): void {
    this.u(count);
  }

  /** Unsigned Exp-Golomb code. */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      if (++zeros > 31) throw new RangeError('bad Exp-Golomb code in SPS');
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** Signed Exp-Golomb code. */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}
