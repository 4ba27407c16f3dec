import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTaskEvent } from '../../../../src/core/journal/taskEvents';
import { hasEnded, isDownloadPending, type JournalEntry } from '../../../../src/core/journal/taskState';
import { aTask, anEntry } from '../../../helpers/builders';

// Every transition of the one reducer, each from the state it applies to (docs/architecture.md, "The task state
// machine"). Literal states, never the reducer's own output, on the right of each comparison.

const NOW = 1_700_000_100_000;
const apply = (entry: JournalEntry, event: Parameters<typeof applyTaskEvent>[1]) => applyTaskEvent(entry, event, NOW);
const submitting = () => anEntry({ state: { status: 'submitting' }, taskId: undefined });

describe('applyTaskEvent', () => {
  it('created: the task id, the credits reserved, the state the service gave, the claim it was sent under', () => {
    const entry = { ...submitting(), claim: { dir: '/w', key: 'k', generation: 0 } };
    const next = apply(entry, { type: 'created', task: aTask({ id: 'task-unified-1757169743-abcdefgh', status: 'pending' }), generation: 3 });
    assert.equal(next.taskId, 'task-unified-1757169743-abcdefgh');
    assert.equal(next.reportedCredits, 27);
    assert.deepEqual(next.state, { status: 'pending' });
    assert.deepEqual(next.claim, { dir: '/w', key: 'k', generation: 3 });
    assert.equal(next.updatedAt, NOW);
  });

  it('created with a first answer that is already processing, completed or failed', () => {
    assert.deepEqual(apply(submitting(), { type: 'created', task: aTask({ status: 'processing', progress: 12.6, task_info: { estimated_time: 40 } }) }).state, {
      status: 'processing',
      progress: 13,
      etaSeconds: 40,
    });
    const done = apply(submitting(), { type: 'created', task: aTask({ status: 'completed', results: ['https://cdn/v.mp4'] }) });
    assert.deepEqual(done.state, { status: 'completed', videoUrl: 'https://cdn/v.mp4' });
    assert.equal(done.completedAt, NOW);
    const failed = apply(submitting(), { type: 'created', task: aTask({ status: 'failed', error: { code: 'content_policy_violation', message: 'No.' } }) });
    assert.deepEqual(failed.state, { status: 'failed', code: 'content_policy_violation', message: 'No.', retryable: false });
    assert.equal(failed.finishedAt, NOW);
  });

  it('create-lost and sender-lost: unknown, with the reason', () => {
    assert.deepEqual(apply(submitting(), { type: 'create-lost', reason: 'reset after sending' }).state, { status: 'unknown', reason: 'reset after sending' });
    assert.deepEqual(apply(submitting(), { type: 'sender-lost', reason: 'process 4 stopped' }).state, { status: 'unknown', reason: 'process 4 stopped' });
    assert.equal(hasEnded(apply(submitting(), { type: 'create-lost', reason: 'x' })), true, 'no task id: nothing to wait for');
  });

  it('polled: progress, then completed with its link; a poll clears the last error and a stray 404', () => {
    const running = apply(anEntry({ lastError: 'HTTP 502', notFound: { since: 1, count: 1 } }), { type: 'polled', task: aTask({ status: 'processing', progress: 40 }) });
    assert.deepEqual(running.state, { status: 'processing', progress: 40, etaSeconds: 300 });
    assert.equal(running.polls, 1);
    assert.equal(running.lastError, undefined);
    assert.equal(running.notFound, undefined);
    const done = apply(running, { type: 'polled', task: aTask({ status: 'completed', result_data: [{ video_url: 'https://cdn/b.mp4' }] }) });
    assert.deepEqual(done.state, { status: 'completed', videoUrl: 'https://cdn/b.mp4' });
  });

  it('polled: a video completed without a link, an element with and without its id, a status this version does not know', () => {
    assert.deepEqual(apply(anEntry(), { type: 'polled', task: aTask({ status: 'completed' }) }).state, {
      status: 'failed',
      code: 'missing_result',
      message: 'The task completed without a video link.',
      retryable: true,
    });
    const element = anEntry({ kind: 'element' });
    assert.deepEqual(apply(element, { type: 'polled', task: aTask({ status: 'completed', result_data: [{ element_id: 'el-7' }] }) }).state, { status: 'completed', elementId: 'el-7' });
    assert.equal(apply(element, { type: 'polled', task: aTask({ status: 'completed' }) }).state.status, 'failed');
    const odd = apply(anEntry(), { type: 'polled', task: aTask({ status: 'paused' as never }) });
    assert.deepEqual(odd.state, { status: 'unknown', reason: 'the service reported a status this version does not know: "paused"' });
    assert.equal(hasEnded(odd), false, 'with a task id it is still polled');
  });

  it('polled: a task being downloaded or saved stays so', () => {
    const downloading = anEntry({ state: { status: 'downloading', videoUrl: 'https://cdn/v.mp4', receivedBytes: 10 } });
    assert.deepEqual(apply(downloading, { type: 'polled', task: aTask({ status: 'completed', results: ['https://cdn/v.mp4'] }) }).state, downloading.state);
    const saved = anEntry({ state: { status: 'saved', filePath: '/w/v.mp4' } });
    assert.deepEqual(apply(saved, { type: 'polled', task: aTask({ status: 'completed', results: ['https://cdn/v.mp4'] }) }).state, saved.state);
  });

  it('poll-failed: only the error and the count', () => {
    const next = apply(anEntry({ state: { status: 'processing', progress: 20 } }), { type: 'poll-failed', message: 'HTTP 503' });
    assert.deepEqual(next.state, { status: 'processing', progress: 20 });
    assert.equal(next.lastError, 'HTTP 503');
    assert.equal(next.polls, 1);
  });

  it('not-found: recorded until final, then expired', () => {
    const once = apply(anEntry(), { type: 'not-found', message: 'not found', final: false });
    assert.deepEqual(once.state, { status: 'pending' });
    assert.deepEqual(once.notFound, { since: NOW, count: 1 });
    const twice = applyTaskEvent(once, { type: 'not-found', message: 'not found', final: false }, NOW + 60_000);
    assert.deepEqual(twice.notFound, { since: NOW, count: 2 }, 'the first 404 is when it started');
    const final = apply(twice, { type: 'not-found', message: 'gone for good', final: true });
    assert.deepEqual(final.state, { status: 'expired', reason: 'gone for good' });
    assert.equal(final.notFound, undefined);
  });

  it('stalled: a flag, nothing else', () => {
    const next = apply(anEntry({ state: { status: 'processing', progress: 5 } }), { type: 'stalled' });
    assert.equal(next.stalled, true);
    assert.deepEqual(next.state, { status: 'processing', progress: 5 });
  });

  it('refetched: a fresh link for a saved or failed download, whatever the state was', () => {
    const saved = anEntry({ state: { status: 'saved', filePath: '/w/v.mp4' }, downloadAttempts: 3, nextDownloadAt: 5, lastError: 'x' });
    const next = apply(saved, { type: 'refetched', task: aTask({ status: 'completed', results: ['https://cdn/fresh.mp4'] }) });
    assert.deepEqual(next.state, { status: 'completed', videoUrl: 'https://cdn/fresh.mp4' });
    assert.equal(next.downloadAttempts, undefined);
    assert.equal(next.nextDownloadAt, undefined);
    assert.equal(next.lastError, undefined);
    assert.equal(isDownloadPending({ ...next, outputPath: '/w/v.mp4' }), true);
  });

  it('download-started, -progress, downloaded', () => {
    const completed = anEntry({ state: { status: 'completed', videoUrl: 'https://cdn/v.mp4' }, lastError: 'old' });
    const started = apply(completed, { type: 'download-started', videoUrl: 'https://cdn/v.mp4' });
    assert.deepEqual(started.state, { status: 'downloading', videoUrl: 'https://cdn/v.mp4', receivedBytes: 0 });
    assert.equal(started.lastError, undefined);
    const retried = apply({ ...completed, lastError: 'the disk is full', downloadAttempts: 1 }, { type: 'download-started', videoUrl: 'https://cdn/v.mp4' });
    assert.equal(retried.lastError, 'the disk is full', 'a try after failed ones keeps what failed until one succeeds');
    const half = apply(started, { type: 'download-progress', receivedBytes: 50, totalBytes: 100 });
    assert.deepEqual(half.state, { status: 'downloading', videoUrl: 'https://cdn/v.mp4', receivedBytes: 50, totalBytes: 100 });
    assert.deepEqual(apply(completed, { type: 'download-progress', receivedBytes: 5 }).state, completed.state, 'progress of a download not started is ignored');
    const saved = apply({ ...half, downloadAttempts: 2, nextDownloadAt: 9, stalled: true }, { type: 'downloaded', filePath: '/w/v.mp4' });
    assert.deepEqual(saved.state, { status: 'saved', filePath: '/w/v.mp4' });
    assert.equal(saved.downloadAttempts, undefined);
    assert.equal(saved.stalled, undefined);
    assert.equal(saved.finishedAt, NOW);
  });

  it('download-failed: download pending with its next try, or expired when the link is past its life', () => {
    const downloading = anEntry({ state: { status: 'downloading', videoUrl: 'https://cdn/v.mp4', receivedBytes: 10 }, outputPath: '/w/v.mp4' });
    const pending = apply(downloading, { type: 'download-failed', message: 'The disk is full.', linkExpired: false, retryAt: NOW + 30_000 });
    assert.deepEqual(pending.state, { status: 'completed', videoUrl: 'https://cdn/v.mp4' });
    assert.equal(pending.lastError, 'The disk is full.');
    assert.equal(pending.downloadAttempts, 1);
    assert.equal(pending.nextDownloadAt, NOW + 30_000);
    assert.equal(isDownloadPending(pending), true);
    assert.equal(hasEnded(pending), true, 'a render waiting on it ends: it reports it as download pending');
    const again = apply(pending, { type: 'download-failed', message: 'still full', linkExpired: false });
    assert.equal(again.downloadAttempts, 2);
    assert.equal(again.nextDownloadAt, undefined, 'no next try once the link is nearly over');
    const expired = apply(downloading, { type: 'download-failed', message: 'link expired', linkExpired: true });
    assert.deepEqual(expired.state, { status: 'expired', reason: 'link expired' });
  });

  it('mirrored: a follower copies the owner\'s task, keeps its own id and claim', () => {
    const mine = anEntry({ id: 'job-mine', claim: { dir: '/w', key: 'k', generation: 1 }, lastError: 'mine' });
    const theirs = anEntry({ id: 'job-theirs', state: { status: 'processing', progress: 70 }, polls: 9, startedBy: 'kling render', completedAt: undefined, lastError: undefined });
    const next = apply(mine, { type: 'mirrored', from: theirs });
    assert.equal(next.id, 'job-mine');
    assert.deepEqual(next.claim, { dir: '/w', key: 'k', generation: 1 });
    assert.deepEqual(next.state, { status: 'processing', progress: 70 });
    assert.equal(next.polls, 9);
    assert.equal(next.startedBy, 'kling render');
    assert.equal(next.lastError, undefined, 'what the owner does not have is not kept');
  });

  it('taken-over: the new owner, and the claim generation', () => {
    const owner = { token: 't', pid: 1, host: 'h' };
    const next = apply(anEntry({ claim: { dir: '/w', key: 'k', generation: 1 } }), { type: 'taken-over', owner, generation: 2 });
    assert.deepEqual(next.owner, owner);
    assert.deepEqual(next.claim, { dir: '/w', key: 'k', generation: 2 });
  });
});
