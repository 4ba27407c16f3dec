import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeOwner, isOwnerGone, livenessOf, newOwner, releaseOwner } from '../../../../src/core/process/processOwner';
import { goneOwner, remoteOwner } from '../../../helpers/owners';

describe('processOwner', () => {
  it('an owner of this process is alive until it is released, then gone', () => {
    const owner = newOwner('kling render');
    assert.equal(owner.pid, process.pid);
    assert.equal(livenessOf(owner), 'alive');
    releaseOwner(owner);
    assert.equal(livenessOf(owner), 'gone');
  });

  it('an owner whose process ended is gone; one of a running process is alive', () => {
    assert.equal(livenessOf(goneOwner()), 'gone');
    // The parent of this test runner runs as long as the test does.
    assert.equal(livenessOf({ token: 'x', pid: process.ppid, host: newOwner().host }), 'alive');
  });

  it('a pid reused by a new process is not taken for the old one (its start time differs, where the system says it)', () => {
    const owner = newOwner();
    releaseOwner(owner);
    if (process.platform !== 'linux') {
      assert.equal(owner.processStart, undefined, 'only Linux gives start times (/proc)');
      return;
    }
    assert.ok(owner.processStart, 'Linux gives the start time');
    const other = { token: 'y', pid: process.ppid, host: owner.host, processStart: '1' };
    assert.equal(livenessOf(other), 'gone');
  });

  it('an owner on another machine is gone only once it has been silent long enough', () => {
    const owner = remoteOwner();
    assert.equal(livenessOf(owner), 'elsewhere');
    assert.equal(isOwnerGone(owner, 1_000, 1_000 + 59_000, 60_000), false);
    assert.equal(isOwnerGone(owner, 1_000, 1_000 + 61_000, 60_000), true);
  });

  it('names an owner for people', () => {
    assert.match(describeOwner(remoteOwner()), /^process 4242 \(kling render\) on not-/);
  });
});
