import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isApiError } from '../../core/api/apiError';
import { apiKeyProblem } from '../../core/api/apiKeyProblem';
import { baseUrlProblem, isLoopbackHost } from '../../core/api/baseUrlProblem';
import { DEFAULT_BASE_URL } from '../../core/api/klingClient';
import { HarRecorder } from '../../core/http/harRecorder';
import { TaskJournal } from '../../core/journal/taskJournal';
import { hasEnded, type JournalEntry } from '../../core/journal/taskState';
import { readMp4Info } from '../../core/media/mp4Info';
import { formatAmount } from '../../core/pricing/decimal';
import { priceVideo } from '../../core/pricing/pricing';
import { EXIT_CODES, type ExitCode } from '../../core/report/exitCode';
import { buildVideoRequest, type VideoSpec } from '../../core/request/buildRequest';
import { requestHash } from '../../core/request/requestHash';
import { pollPolicyFor } from '../../core/tasks/pollPolicyFor';
import { TaskEngine } from '../../core/tasks/taskEngine';
import { CliBackends } from '../cliBackend';
import { BACKEND_OPTIONS, COMMON_HELP, defineCommand } from '../cliCommand';
import { confirm, err, isInteractive, out, stateDir, UsageError, type CliContext } from '../cliContext';
import { price } from '../planTable';
import { describe } from '../renderProgress';
import { errorText } from '../../core/text/errorText';

/** The cheapest video the service makes: 3 s (its minimum), 720p, no sound. */
const CHEAPEST: VideoSpec = { prompt: 'A calm sea at dawn, the camera slowly pans right.', duration: 3, aspect_ratio: '16:9', quality: '720p', sound: 'off' };

/** More than this between our clock and the service's misjudges links' 24 hours and other machines' claims. */
const SKEW_LIMIT_MS = 60_000;

export const doctorCommand = defineCommand({
  name: 'doctor',
  summary: 'doctor [--spend]  check the key, address, proxy, credits and clock against the service',
  help: `Usage: kling doctor [--spend [--yes]] [--simulator] [--base-url URL] [--record FILE]

Checks what can be checked without spending, one line each: the key (KLING_API_KEY), the base URL, the proxy the
requests go through, that the service answers and accepts the key (GET /v1/credits, which costs nothing), the
credits left, and this machine's clock against the service's Date header.

  --spend          then make the cheapest video (3 s, 720p, no sound: ${price(priceVideo(CHEAPEST))}), after asking,
                   and report every step: the create, the task's states, the download, the file
  --yes            do not ask before spending (required without a terminal)
  --simulator      check against the built-in simulator
  --base-url URL   the API's base URL (default: KLING_BASE_URL, else https://api.evolink.ai)
${COMMON_HELP}

When something fails here or later, run the failing command again with --record FILE and attach the file to a
bug report: it holds every request and answer, never your key.
Exit codes: 0 every check passed, 1 a check failed, 2 the key or address cannot be used, 3 the spend was not
accepted, 4 the test video's create got no answer (see kling --help).`,
  options: { ...BACKEND_OPTIONS, spend: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
  async run(ctx, args, values) {
    if (args.length) throw new UsageError(`doctor takes no arguments; got ${args.join(' ')}`);
    // Every exchange passes the recorder (one place sees HTTP): the Date header is read from it.
    ctx.recorder ??= new HarRecorder({ secrets: () => [ctx.env['KLING_API_KEY']] });
    const recorder = ctx.recorder;
    const backends = new CliBackends(ctx, { baseUrl: values['base-url'], verbose: values.verbose });
    const simulated = values.simulator === true;
    const backend = backends.backend(simulated);
    const baseUrl = backend.kind === 'api' ? (backend.baseUrl ?? DEFAULT_BASE_URL) : undefined;
    let failed = 0;
    const ok = (what: string, text: string) => out(ctx, `✓ ${what}: ${text}`);
    const bad = (what: string, text: string) => {
      failed++;
      err(ctx, `✗ ${what}: ${text}`);
    };

    if (simulated) {
      ok('backend', 'the built-in simulator (nothing real is generated or spent)');
    } else {
      const key = ctx.env['KLING_API_KEY']?.trim();
      const keyProblem = key ? apiKeyProblem(key) : 'KLING_API_KEY is not set: export the key from your dashboard.';
      if (keyProblem) bad('key', keyProblem);
      else ok('key', `KLING_API_KEY is set (${key!.length} characters; never shown)`);
      const urlProblem = baseUrlProblem(baseUrl!);
      if (urlProblem) bad('address', urlProblem);
      else ok('address', `${baseUrl}${values['base-url'] ? ' (--base-url)' : ctx.env['KLING_BASE_URL'] ? ' (KLING_BASE_URL)' : ' (the default)'}`);
      if (keyProblem || urlProblem) return EXIT_CODES.invalid;
      ok('proxy', proxyFor(ctx.env, baseUrl!));
    }

    let client;
    try {
      client = await backends.clientFor(backend);
      const started = Date.now();
      const credits = await client.getCredits(ctx.signal);
      ok('service', `${simulated ? 'the simulator' : new URL(client.baseUrl).host} answered GET /v1/credits in ${Date.now() - started} ms and accepted the key`);
      const user = credits.data.user;
      const token = credits.data.token;
      const parts = [user ? `${user.remaining_credits} left on the account` : undefined, token ? `this key: ${token.unlimited_credits ? 'unlimited' : `${token.remaining_credits} left`}` : undefined].filter(Boolean);
      ok('credits', parts.length ? parts.join(', ') : 'the answer had no balance in it');
    } catch (error) {
      bad('service', errorText(error));
      await backends.close();
      return isApiError(error, 'auth') || isApiError(error, 'config') ? EXIT_CODES.invalid : EXIT_CODES.failed;
    }
    const skew = clockSkew(recorder);
    if (skew === undefined) ok('clock', "the service sent no Date header to compare with (nothing depends on it)");
    else if (Math.abs(skew) > SKEW_LIMIT_MS) bad('clock', `this machine is ${seconds(skew)} ${skew > 0 ? 'ahead of' : 'behind'} the service: set the clock (NTP). Links' 24 hours and other machines' claims are judged by it.`);
    else ok('clock', `within ${seconds(skew)} of the service's`);

    if (!values.spend) {
      await backends.close();
      if (failed === 0) out(ctx, 'Everything that can be checked without spending works. kling doctor --spend makes one test video.');
      return failed ? EXIT_CODES.failed : EXIT_CODES.done;
    }
    try {
      return await spend(ctx, backends, backend, values.yes === true, simulated);
    } finally {
      await backends.close();
    }
  },
});

/** The test video: asked for, created under the journal like any other, followed step by step. */
async function spend(ctx: CliContext, backends: CliBackends, backend: ReturnType<CliBackends['backend']>, yes: boolean, simulated: boolean): Promise<ExitCode> {
  const cost = priceVideo(CHEAPEST);
  const question = simulated ? `Make a test video on the simulator (would cost ${price(cost)}; nothing is spent)?` : `Spend ${price(cost)} on a test video (3 s, 720p, no sound)?`;
  if (!yes) {
    if (!isInteractive(ctx)) {
      err(ctx, `${question} Not without a terminal to ask on: add --yes.`);
      return EXIT_CODES.refused;
    }
    if (!(await confirm(ctx, question))) {
      out(ctx, 'Nothing spent.');
      return EXIT_CODES.refused;
    }
  }
  const folder = await mkdtemp(path.join(tmpdir(), 'kling-doctor-'));
  const journal = new TaskJournal(path.join(stateDir(ctx), 'journal.json'));
  await journal.load();
  const timeScale = simulated ? (await backends.startSimulator()).timeScale : 1000;
  const engine = new TaskEngine({ journal, ...backends.engineDeps(), pollPolicy: pollPolicyFor(timeScale), tool: 'kling doctor' });
  const started = Date.now();
  const step = (text: string) => out(ctx, `  ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${text}`);
  let last = '';
  const listener = journal.onDidChange((entry) => {
    if (!entry || entry.kind !== 'video' || entry.outputPath !== path.join(folder, 'doctor.mp4')) return;
    const now = entry.state.status === 'processing' ? `processing ${Math.floor(entry.state.progress / 25) * 25}%` : describe(entry);
    if (now !== last) step((last = now));
  });
  try {
    await engine.start();
    const request = buildVideoRequest(CHEAPEST);
    step(`sending the create: ${request.model}, 3 s, 720p, sound off`);
    let entry: JournalEntry;
    try {
      entry = await engine.submit(
        {
          kind: 'video',
          label: 'kling doctor',
          request,
          requestHash: requestHash(request),
          price: { seconds: cost.seconds, usd: formatAmount(cost.usd), credits: formatAmount(cost.credits) },
          backend,
          outputPath: path.join(folder, 'doctor.mp4'),
          workspaceRoot: folder,
        },
        { signal: ctx.signal },
      );
    } catch (error) {
      err(ctx, `✗ create: ${errorText(error)}`);
      if (isApiError(error, 'outcome-unknown')) return EXIT_CODES.unknown;
      return isApiError(error, 'quota') || isApiError(error, 'permission') ? EXIT_CODES.refused : EXIT_CODES.failed;
    }
    step(`created task ${entry.taskId ?? '(no id)'}`);
    const [ended] = await engine.waitFor([entry.id], ctx.signal);
    if (!ended || ended.state.status !== 'saved') {
      err(ctx, `✗ test video: ${ended ? describe(ended) : 'it left the journal'}`);
      return ended?.state.status === 'unknown' || (ended && !hasEnded(ended)) ? EXIT_CODES.unknown : EXIT_CODES.failed;
    }
    const info = await readMp4Info(ended.state.filePath);
    out(ctx, `✓ test video: ${ended.state.filePath} (${info.width}×${info.height}, ${info.durationSeconds.toFixed(1)} s), with its sidecar beside it`);
    return EXIT_CODES.done;
  } finally {
    listener.dispose();
    engine.dispose();
    await engine.idle();
  }
}

/** Which proxy requests to `url` go through, as undici's EnvHttpProxyAgent decides it from the environment. */
function proxyFor(env: NodeJS.ProcessEnv, url: string): string {
  const target = new URL(url);
  if (isLoopbackHost(target.hostname)) return 'none: this machine is reached directly';
  const pick = (...names: string[]) => names.map((n) => [n, env[n]] as const).find(([, v]) => v);
  const proxy = target.protocol === 'https:' ? pick('https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY') : pick('http_proxy', 'HTTP_PROXY');
  if (!proxy) return 'none (no HTTPS_PROXY or HTTP_PROXY set)';
  const noProxy = (env['no_proxy'] ?? env['NO_PROXY'] ?? '').split(/[,\s]+/).filter(Boolean);
  const excluded = noProxy.some((rule) => rule === '*' || target.hostname === rule.replace(/^\./, '') || target.hostname.endsWith(rule.startsWith('.') ? rule : `.${rule}`));
  const shown = proxy[1]!.replace(/\/\/[^@/]*@/, '//•••@');
  return excluded ? `none: ${target.hostname} is in NO_PROXY (${proxy[0]}=${shown} is set)` : `${shown} (from ${proxy[0]})`;
}

/** Our clock minus the service's, from the Date header of the last answer recorded; undefined without one. */
function clockSkew(recorder: HarRecorder): number | undefined {
  const entries = recorder.toHar().log.entries;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    const date = entry.response.headers.find((h) => h.name === 'date')?.value;
    if (!date || Number.isNaN(Date.parse(date))) continue;
    // The Date header has whole seconds: compare with the middle of the exchange.
    const ours = Date.parse(entry.startedDateTime) + entry.time / 2;
    const skew = ours - Date.parse(date);
    return Math.abs(skew) < 1000 ? 0 : skew;
  }
  return undefined;
}

function seconds(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  return s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`;
}
