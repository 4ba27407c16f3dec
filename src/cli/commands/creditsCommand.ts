import { CliBackends } from '../cliBackend';
import { err, out, type CliContext } from '../cliContext';

export const CREDITS_HELP = `Usage: kling credits [--simulator] [--base-url URL]

Prints the credits left on your key (GET /v1/credits): the cheapest check that a key works.`;

export async function creditsCommand(ctx: CliContext, flags: { simulator?: boolean | undefined; baseUrl?: string | undefined }): Promise<number> {
  const backends = new CliBackends(ctx, { baseUrl: flags.baseUrl });
  const backend = backends.backend(flags.simulator === true);
  const refusal = backends.refusal(backend);
  if (refusal) {
    err(ctx, refusal);
    return 2;
  }
  try {
    const client = await backends.clientFor(backend);
    const credits = await client.getCredits(ctx.signal);
    const user = credits.data.user;
    const token = credits.data.token;
    if (flags.simulator) out(ctx, 'Simulator balance (not real credits):');
    if (user) out(ctx, `account: ${user.remaining_credits} credits left, ${user.used_credits} used`);
    if (token) out(ctx, `this key: ${token.unlimited_credits ? 'unlimited' : `${token.remaining_credits} credits left`}, ${token.used_credits} used`);
    return 0;
  } catch (error) {
    err(ctx, error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await backends.close();
  }
}
