import { isApiError } from '../../core/api/apiError';
import { EXIT_CODES } from '../../core/report/exitCode';
import { CliBackends } from '../cliBackend';
import { BACKEND_OPTIONS, COMMON_HELP, defineCommand } from '../cliCommand';
import { err, out, UsageError } from '../cliContext';
import { errorText } from '../../core/text/errorText';

export const creditsCommand = defineCommand({
  name: 'credits',
  summary: 'credits           the credits left on your key',
  help: `Usage: kling credits [--simulator] [--base-url URL]

Prints the credits left on your key (GET /v1/credits): the cheapest check that a key works.

  --simulator      the built-in simulator's balance (not real credits)
  --base-url URL   the API's base URL (default: KLING_BASE_URL, else https://api.evolink.ai)
${COMMON_HELP}
Exit codes: 0 printed, 1 the service could not be asked, 2 the key or address cannot be used.`,
  options: { simulator: BACKEND_OPTIONS.simulator, 'base-url': BACKEND_OPTIONS['base-url'] },
  async run(ctx, args, values) {
    if (args.length) throw new UsageError(`credits takes no arguments; got ${args.join(' ')}`);
    const backends = new CliBackends(ctx, { baseUrl: values['base-url'] });
    const backend = backends.backend(values.simulator === true);
    const refusal = backends.refusal(backend);
    if (refusal) {
      err(ctx, refusal);
      return EXIT_CODES.invalid;
    }
    try {
      const client = await backends.clientFor(backend);
      const credits = await client.getCredits(ctx.signal);
      const user = credits.data.user;
      const token = credits.data.token;
      if (values.simulator) out(ctx, 'Simulator balance (not real credits):');
      if (user) out(ctx, `account: ${user.remaining_credits} credits left, ${user.used_credits} used`);
      if (token) out(ctx, `this key: ${token.unlimited_credits ? 'unlimited' : `${token.remaining_credits} credits left`}, ${token.used_credits} used`);
      return EXIT_CODES.done;
    } catch (error) {
      err(ctx, errorText(error));
      return isApiError(error, 'auth') || isApiError(error, 'config') ? EXIT_CODES.invalid : EXIT_CODES.failed;
    } finally {
      await backends.close();
    }
  },
});
