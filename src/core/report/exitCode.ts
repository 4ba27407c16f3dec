import { z } from 'zod';

/**
 * How every `kling` command ends, the same for all of them (docs/cli.md, "Exit codes"). A CI job branches on these,
 * so each means one thing: 4 (a person must look) outranks 1 (something failed), then 2 (something to fix in the
 * input: a key the service did not accept), then 3 (nothing was spent because something said no).
 */
export const EXIT_CODES = {
  /** Everything asked for is done: rendered, saved, up to date, or the check passed. */
  done: 0,
  /** Some videos failed, or a paid video is still to be downloaded (`kling download` fetches it). */
  failed: 1,
  /** Invalid input or usage: a storyboard with problems, an unknown flag, a key or address that cannot be used. */
  invalid: 2,
  /** Refused before spending: over --max-usd, the price not accepted, or the service would not spend (credits, model). */
  refused: 3,
  /** A create got no answer: a task may exist and be charged. Never sent again on our own; a person must look. */
  unknown: 4,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export const ExitCodeSchema = z
  .union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)])
  .describe('0 done, 1 some videos failed, 2 invalid input or usage, 3 refused before spending, 4 outcome unknown');

/** The exit codes as `--help` and the README print them. */
export const EXIT_CODES_HELP = `Exit codes (the same for every command):
  0  done: rendered, saved or up to date; the check passed
  1  some videos failed, or a paid video is still to be downloaded (kling download fetches it)
  2  invalid input or usage: storyboard problems, an unknown flag, a key or address that cannot be used
     (or that the service did not accept)
  3  refused, nothing spent: over --max-usd, the price not accepted (no --yes without a terminal),
     or the service would not spend (out of credits, model not enabled for the key)
  4  outcome unknown: a create got no answer and a task may exist and be charged; check before --force
  When several apply: 4, then 1, then 2, then 3. Ctrl-C ends with 130, SIGTERM with 143.`;

/** The exit code of a run whose parts ended these ways, by the precedence above. */
export function exitCodeOf(parts: { unknown?: number; failed?: number; invalid?: number; refused?: number }): ExitCode {
  if ((parts.unknown ?? 0) > 0) return EXIT_CODES.unknown;
  if ((parts.failed ?? 0) > 0) return EXIT_CODES.failed;
  if ((parts.invalid ?? 0) > 0) return EXIT_CODES.invalid;
  if ((parts.refused ?? 0) > 0) return EXIT_CODES.refused;
  return EXIT_CODES.done;
}
