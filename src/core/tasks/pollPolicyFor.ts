import { DEFAULT_POLL_POLICY, type PollPolicy } from '../journal/taskPoller';

/**
 * The poll policy for a backend whose second lasts `secondMs` milliseconds: the real service (1000) or a
 * simulator running faster. Every wait scales, so a fast simulator exercises the same schedule in less time.
 */
export function pollPolicyFor(secondMs: number): PollPolicy {
  const scale = secondMs / 1000;
  return {
    ...DEFAULT_POLL_POLICY,
    firstPollMs: DEFAULT_POLL_POLICY.firstPollMs * scale,
    intervalMs: DEFAULT_POLL_POLICY.intervalMs * scale,
    jitterMs: DEFAULT_POLL_POLICY.jitterMs * scale,
    minIntervalMs: DEFAULT_POLL_POLICY.minIntervalMs * scale,
    etaSecondMs: secondMs,
    stallAfterMs: DEFAULT_POLL_POLICY.stallAfterMs * scale,
    stalledIntervalMs: DEFAULT_POLL_POLICY.stalledIntervalMs * scale,
    maxErrorBackoffMs: DEFAULT_POLL_POLICY.maxErrorBackoffMs * scale,
    notFoundGraceMs: DEFAULT_POLL_POLICY.notFoundGraceMs * scale,
  };
}
