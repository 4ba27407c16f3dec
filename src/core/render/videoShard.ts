import { createHash } from 'node:crypto';

/** One part of a storyboard's videos split over `count` runners (`--shard index/count`, index from 1). */
export interface VideoShard {
  index: number;
  count: number;
}

/** `--shard K/N` read: K from 1 to N. Undefined, with the reason, when it is not one. */
export function parseShard(text: string): { shard: VideoShard } | { problem: string } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return { problem: `--shard is K/N, e.g. 1/4 (part 1 of 4); got ${text}` };
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > 1000) return { problem: `--shard: N is from 1 to 1000; got ${count}` };
  if (index < 1 || index > count) return { problem: `--shard: K is from 1 to ${count}; got ${index}` };
  return { shard: { index, count } };
}

/**
 * The part (from 1) a video belongs to: by a hash of its name, never its position, so that adding or removing a
 * video moves no other between parts, and every runner, with the same storyboard, computes the same split. Parts
 * are disjoint and together hold every video: no two runners ever create the same video.
 */
export function shardOfVideo(name: string, count: number): number {
  const digest = createHash('sha256').update(name, 'utf8').digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

export function isInShard(name: string, shard: VideoShard | undefined): boolean {
  return shard === undefined || shardOfVideo(name, shard.count) === shard.index;
}
