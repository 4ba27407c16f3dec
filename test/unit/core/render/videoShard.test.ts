import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInShard, parseShard, shardOfVideo } from '../../../../src/core/render/videoShard';

describe('videoShard', () => {
  const names = Array.from({ length: 200 }, (_, i) => `video-${i}`);

  it('splits videos into disjoint parts that cover them all', () => {
    for (const count of [1, 2, 3, 4, 7]) {
      const parts = Array.from({ length: count }, (_, k) => names.filter((n) => isInShard(n, { index: k + 1, count })));
      assert.equal(parts.reduce((n, p) => n + p.length, 0), names.length, `${count}: every video in exactly one part`);
      assert.deepEqual(new Set(parts.flat()).size, names.length);
      if (count > 1) assert.ok(parts.every((p) => p.length > 0), `${count}: no empty part among 200 videos`);
    }
  });

  it('depends on the name only: adding or removing videos moves no other, and the order does not matter', () => {
    const before = new Map(names.map((n) => [n, shardOfVideo(n, 4)]));
    const more = [...names.slice(50), 'a-new-one', 'another', ...names.slice(0, 50).reverse()];
    for (const n of more) if (before.has(n)) assert.equal(shardOfVideo(n, 4), before.get(n));
    // Fixed values (the first 4 bytes of sha256(name), big-endian, mod 4, plus 1): every runner, on any machine or
    // version, must compute the same split. sha256("intro") starts c432b372: 0xc432b372 % 4 = 2, part 3.
    const fixed = ['hero', 'teaser', 'intro', 'outro', 'v000', 'v001', 'v002', 'v003'];
    assert.deepEqual(fixed.map((n) => shardOfVideo(n, 4)), [2, 2, 3, 3, 2, 4, 2, 4]);
    assert.equal(shardOfVideo('hero', 1), 1);
  });

  it('reads K/N and refuses anything else, saying why', () => {
    assert.deepEqual(parseShard('2/4'), { shard: { index: 2, count: 4 } });
    assert.deepEqual(parseShard(' 1/1 '), { shard: { index: 1, count: 1 } });
    for (const [text, why] of [
      ['0/4', /K is from 1 to 4; got 0/],
      ['5/4', /K is from 1 to 4; got 5/],
      ['1/0', /N is from 1 to 1000; got 0/],
      ['2', /--shard is K\/N/],
      ['a/b', /--shard is K\/N/],
    ] as const) {
      const parsed = parseShard(text);
      assert.ok('problem' in parsed, text);
      assert.match(parsed.problem, why);
    }
  });
});
