import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import type { SoakRow } from '../soakRow';
import { faultRow } from './faultRow';

/** Videos made before the key is refused, or the credits run out: half the storyboard. */
const PAID_FOR = 50;
/** docs/service-contract.md, "Prices": 720p without sound is 5.4 credits a second; a soak video lasts 3 s. */
const CREDITS_PER_VIDEO = 16.2;
/** Polls refused while the key is: enough that every task under way meets some. */
const REFUSED_POLLS = 16;

/**
 * The key is refused from the 51st create on (every create after it too), and on the next 16 polls: the render stops
 * sending creates at the first refusal (each of the rest fails, unsent), and the tasks under way are polled through
 * the refusals and saved.
 */
export function keyRefusedMidRun(): SoakRow {
  let sim: Simulator | undefined;
  let created = 0;
  return faultRow({
    fault: '401 mid-run',
    simulator: {
      // The polls are refused from the moment the 50th task is answered: that task has yet to be polled, so the
      // refusals are all met (every poll meets one while any are left). The simulator's log says when.
      log: (line) => {
        if (sim && line.startsWith('POST /v1/videos/generations 200') && ++created === PAID_FOR) sim.inject({ on: 'task', status: 401, times: REFUSED_POLLS });
      },
    },
    prepare: (bed) => {
      sim = bed.sim;
      created = 0;
      bed.sim.inject({ on: 'create', status: 401, after: PAID_FOR, times: 10_000 });
      return [
        { route: 'create', name: 'status 401', count: 10_000, mustAllBeUsed: false },
        { route: 'task', name: 'status 401', count: REFUSED_POLLS },
      ];
    },
    expect: ({ videos }) => ({
      counts: { creates: PAID_FOR, saved: PAID_FOR, unknown: 0 },
      because: `the first ${PAID_FOR} creates are accepted, every later one refused (401 in the service's envelope: nothing created), and the render stops sending at the first; the ${PAID_FOR} tasks are polled through the refusals and saved; the other ${videos - PAID_FOR} fail unsent.`,
    }),
    extra: ({ used, outcomes }) => {
      const problems: string[] = [];
      if (used('create', 'status 401') === 0) problems.push('no create was refused: the row did not test what it says');
      const failed = outcomes.filter((o) => o.kind === 'failed');
      const key = failed.filter((o) => o.kind === 'failed' && /API key was not accepted/.test(o.message)).length;
      return {
        notes: [`${used('create', 'status 401')} creates and ${used('task', 'status 401')} polls were refused; ${failed.length} videos failed, ${key} of them saying the key was not accepted.`],
        problems,
      };
    },
  });
}

/** The balance pays for 50 videos: the 51st create is answered 402 and the render stops creating. */
export const outOfCredits = faultRow({
  fault: '402 out of credits',
  prepare: (bed) => {
    bed.sim.setBalance(PAID_FOR * CREDITS_PER_VIDEO);
    return [];
  },
  expect: ({ videos }) => ({
    counts: { creates: PAID_FOR, saved: PAID_FOR, unknown: 0 },
    because: `the balance is ${PAID_FOR} × ${CREDITS_PER_VIDEO} credits (3 s at 5.4 credits/s, the contract's price): ${PAID_FOR} videos are made and saved, the next create is answered 402 (nothing created) and the other ${videos - PAID_FOR} fail unsent.`,
  }),
  extra: ({ bed, outcomes }) => {
    const refused = bed.sim.stats().requests.filter((r) => r.method === 'POST' && r.status === 402).length;
    const quota = outcomes.filter((o) => o.kind === 'failed' && /Out of credits/.test(o.message)).length;
    return {
      notes: [`${refused} creates answered 402; ${quota} videos failed saying the credits ran out; balance left ${bed.sim.balance()} credits.`],
      problems: refused === 0 ? ['no create was answered 402: the row did not test what it says'] : [],
    };
  },
});
