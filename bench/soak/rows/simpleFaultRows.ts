import type { SoakRow } from '../soakRow';
import { SOAK_STALL_MS } from '../support/renderBed';
import { faultRow, spread } from './faultRow';

// The rows whose fault is set up once before a single render, in one engine: statuses, resets, damaged bodies,
// redirects, expired links. Faults are spread over the run with the simulator's `after` (every tenth create, every
// fourth or fifth poll or download), not bunched at its start, and never more than the run's requests can use up: a
// render of 100 videos makes exactly 100 creates (plus one per 429), at least 100 downloads (plus one per damaged
// body), and 120 to 150 polls. Byte counts: a soak video (3 s, 720×720) is about 22 KB.

/** Bytes of a video sent before a cut, a clean early end or a stall: about half of it. */
const HALF_A_VIDEO = 10_000;

/** A run where nothing goes wrong: every other row is read against it. */
export const control = faultRow({
  fault: 'none (control)',
  expect: ({ videos }) => ({ counts: { creates: videos, saved: videos, unknown: 0 }, because: 'no fault: each video created once and saved.' }),
});

/** A 429 proves that nothing was created: the create is sent again after the Retry-After, and every video is made once. */
export const rateLimitedCreates = faultRow({
  fault: '429 + Retry-After on create',
  prepare: (bed) => {
    spread(bed, { on: 'create', status: 429, retryAfterSeconds: 1 }, 12, 7);
    return [{ route: 'create', name: 'status 429', count: 12 }];
  },
  expect: ({ videos }) => ({
    counts: { creates: videos, saved: videos, unknown: 0 },
    because: 'a 429 proves nothing was created; each is waited out (Retry-After) and sent again: every video created once and saved.',
  }),
  extra: ({ engine, used }) => {
    const honoured = engine.waits.filter((ms) => ms === 1000).length;
    const problems: string[] = [];
    if (engine.waits.length !== used('create', 'status 429') || honoured !== engine.waits.length) {
      problems.push(`the client waited ${engine.waits.length} times (${honoured} of them the 1 s Retry-After) for ${used('create', 'status 429')} 429s`);
    }
    return { notes: [`client: ${engine.waits.length} waits before a retry, ${honoured} of them the 1000 ms Retry-After asked (4 ms at this time scale).`], problems };
  },
});

/**
 * A 5xx on a create, even in the service's own envelope, may come after the task was made: the client cannot tell,
 * so the render reports it unknown and never sends it again. The simulator answered before creating anything.
 */
function createStatusRow(status: number): SoakRow {
  return faultRow({
    fault: `${status} on create`,
    prepare: (bed) => {
      spread(bed, { on: 'create', status }, 10, 9);
      return [{ route: 'create', name: `status ${status}`, count: 10 }];
    },
    expect: ({ videos, used }) => {
      const faults = used('create', `status ${status}`);
      return {
        counts: { creates: videos - faults, saved: videos - faults, unknown: faults },
        because: `each of the ${faults} creates answered ${status} is "outcome unknown" to the client (a 5xx may follow a create), never sent again; the simulator created nothing for them: creates = saved = ${videos} − ${faults}, unknown = ${faults}.`,
      };
    },
  });
}

/** A poll answered with a 5xx is asked again (the client's retries, then the poller's backoff): nothing is lost. */
function pollStatusRow(status: number): SoakRow {
  return faultRow({
    fault: `${status} on poll`,
    prepare: (bed) => {
      spread(bed, { on: 'task', status }, 25, 3);
      return [{ route: 'task', name: `status ${status}`, count: 25 }];
    },
    expect: ({ videos }) => ({
      counts: { creates: videos, saved: videos, unknown: 0 },
      because: `a poll answered ${status} is asked again; the task is neither dropped nor created again.`,
    }),
  });
}

export const createStatusRows = [500, 502, 503, 504].map(createStatusRow);
export const pollStatusRows = [500, 502, 503, 504].map(pollStatusRow);

/** The connection is reset before the service reads the create: nothing made, but the client cannot know that. */
export const resetCreates = faultRow({
  fault: 'connection reset on create',
  prepare: (bed) => {
    spread(bed, { on: 'create', kind: 'reset' }, 10, 9);
    return [{ route: 'create', name: 'reset', count: 10 }];
  },
  expect: ({ videos, used }) => {
    const faults = used('create', 'reset');
    return {
      counts: { creates: videos - faults, saved: videos - faults, unknown: faults },
      because: `a create whose connection was reset after it was sent is "outcome unknown" (${faults}); the simulator reset them before creating: creates = saved = ${videos} − ${faults}.`,
    };
  },
});

/** A gateway loses the answer after the service created the task (502, a page of HTML): paid for, never delivered. */
export const lostCreateAnswers = faultRow({
  fault: '502 page after the create',
  prepare: (bed) => {
    spread(bed, { on: 'create', kind: 'lose-answer', answer: { status: 502, body: '<html><head><title>502 Bad Gateway</title></head></html>' } }, 10, 9);
    return [{ route: 'create', name: 'lose-answer 502', count: 10 }];
  },
  expect: ({ videos, used }) => {
    const faults = used('create', 'lose-answer 502');
    return {
      counts: { creates: videos, saved: videos - faults, unknown: faults },
      because: `the simulator created all ${videos}; ${faults} answers were lost behind a 502 page, so those are unknown to the client (never created again, never downloaded): saved = ${videos} − ${faults}.`,
    };
  },
});

function downloadRow(fault: string, kind: 'cut' | 'truncate' | 'stall', count: number, because: string): SoakRow {
  return faultRow({
    fault,
    prepare: (bed) => {
      spread(bed, { on: 'download', kind, afterBytes: HALF_A_VIDEO }, count, 4);
      return [{ route: 'download', name: kind, count }];
    },
    expect: ({ videos }) => ({ counts: { creates: videos, saved: videos, unknown: 0 }, because }),
  });
}

export const cutDownloads = downloadRow('reset mid-download', 'cut', 20, 'a cut download resumes from the partial file with Range: every video saved whole, created once.');
export const truncatedDownloads = downloadRow(
  'truncated body',
  'truncate',
  20,
  'a body that ends cleanly but short is caught by the MP4 check and fetched again: every video saved whole, created once.',
);
export const stalledDownloads = downloadRow(
  'stalled body',
  'stall',
  10,
  `a body that stalls is given up after ${SOAK_STALL_MS} ms without data and resumed: every video saved whole, created once.`,
);

/** Every result link has expired by the time it is fetched: the tasks end "expired", nothing is created again. */
export const expiredLinks = faultRow({
  fault: 'expired link',
  simulator: { linkTtlMs: 1 },
  engine: { linkTtlMs: 1 },
  expect: ({ videos }) => ({
    counts: { creates: videos, saved: 0, unknown: 0 },
    because: 'links last 1 ms (simulator and engine alike), less than any poll takes to see the task complete: every task is created once and ends expired, reported as failed, never created again.',
  }),
  extra: ({ outcomes, engine }) => {
    const expired = engine.journal.list().filter((e) => e.state.status === 'expired').length;
    const problems = expired === outcomes.length ? [] : [`${expired} of ${outcomes.length} journal entries ended expired`];
    return { notes: [`journal: ${expired} entries expired.`], problems };
  },
});

/** A CDN's redirect chain (3 hops, the first to another host name) in front of the video. */
export const redirectedDownloads = faultRow({
  fault: 'redirect chain (3 hops)',
  prepare: (bed) => {
    spread(bed, { on: 'download', kind: 'redirect', hops: 3, toHost: 'localhost' }, 20, 4);
    return [{ route: 'download', name: 'redirect ×3', count: 20 }];
  },
  expect: ({ videos }) => ({ counts: { creates: videos, saved: videos, unknown: 0 }, because: 'redirects are followed (up to 5): every video saved, created once.' }),
  extra: ({ bed }) => {
    const keyed = bed.sim.stats().requests.filter((r) => r.path.startsWith('/files/') && r.withAuthorization).length;
    return { notes: [`requests for result links or their redirects that carried Authorization: ${keyed}.`], problems: keyed ? [`${keyed} download requests carried the API key`] : [] };
  },
});

/** A 200 whose body is not JSON on a poll (a proxy that mangled it): asked again later. */
export const garbledPolls = faultRow({
  fault: 'malformed JSON on poll',
  prepare: (bed) => {
    spread(bed, { on: 'task', kind: 'not-json' }, 25, 3);
    return [{ route: 'task', name: 'not-json', count: 25 }];
  },
  expect: ({ videos }) => ({ counts: { creates: videos, saved: videos, unknown: 0 }, because: 'an answer that cannot be read is asked again; no task is dropped or created again.' }),
});

/** A 404 on a poll now and then (a replica that has not seen the task yet): never abandons a paid task. */
export const strayNotFound = faultRow({
  fault: 'stray 404 on poll',
  prepare: (bed) => {
    spread(bed, { on: 'task', status: 404 }, 20, 4);
    return [{ route: 'task', name: 'status 404', count: 20 }];
  },
  expect: ({ videos }) => ({
    counts: { creates: videos, saved: videos, unknown: 0 },
    because: 'a task is given up only after repeated 404s over minutes; a stray one is asked again: every video saved.',
  }),
});
