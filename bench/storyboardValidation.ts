import { checkStoryboardText } from '../src/core/storyboard/validateStoryboard';
import { type BenchContext, type Benchmark, type Measurement, ratioOf } from './benchmark';
import { median } from './support/median';
import { round } from './support/units';

const VIDEOS = 200;
/** Timed rounds; each times one validation and one parse, the sides alternating who goes first. */
const ROUNDS = 200;
const WARM_UP = 50;
/** Each side is timed over a batch, so that one round is long enough for the clock and short enough to interleave. */
const BATCH = 5;
const MAX_MS = 20;
const MAX_RATIO = 20;

/**
 * The editor validates a storyboard on every edit (debounced), so validation must stay quick on a big one:
 * syntax, schema and cross-field rules of a generated 200-video storyboard, with the positions of every node
 * (`checkStoryboardText`, what the diagnostics run), against a plain `JSON.parse` of the same text in the same
 * process, interleaved. The figure is milliseconds per validation; the target is both an absolute bound (a
 * keystroke's budget) and a ratio to the parse (a bound that means the same on a fast machine and a slow one).
 */
export const storyboardValidation: Benchmark = {
  name: 'storyboard-validation',
  metric: `ms to validate a ${VIDEOS}-video storyboard with positions`,
  target: {
    text: `≤ ${MAX_MS} ms and ratio ≤ ${MAX_RATIO}`,
    met: (m) => m.measured <= MAX_MS && ratioOf(m) <= MAX_RATIO,
  },
  timeoutMs: 60_000,
  async run(ctx: BenchContext): Promise<Measurement> {
    const text = generatedStoryboard(VIDEOS);
    const check = checkStoryboardText(text);
    if (check.problems.length > 0 || check.storyboard?.videos.length !== VIDEOS) {
      throw new Error(`the generated storyboard should be valid; ${check.problems.length} problems, first: ${check.problems[0]?.message}`);
    }
    let sink = 0;
    const validate = () => (sink += checkStoryboardText(text).problems.length);
    const parse = () => (sink += (JSON.parse(text) as { videos: unknown[] }).videos.length);
    for (let i = 0; i < WARM_UP; i++) {
      validate();
      parse();
    }
    const validations: number[] = [];
    const parses: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (round % 2 === 0) {
        validations.push(timePerRun(validate));
        parses.push(timePerRun(parse));
      } else {
        parses.push(timePerRun(parse));
        validations.push(timePerRun(validate));
      }
      // Let the runner's timer (and anything else) in between rounds.
      if (round % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
    }
    const measured = median(validations);
    const baseline = median(parses);
    ctx.log(`validation ${round(measured)} ms, JSON.parse ${round(baseline * 1000)} µs (${sink > 0 ? 'results used' : ''})`);
    const sorted = [...validations].sort((a, b) => a - b);
    return {
      measured,
      baseline,
      unit: 'ms',
      baselineIs: 'JSON.parse',
      notes: [
        `${VIDEOS} videos (text, multi-shot, "auto" shots, image-to-video, with elements), ${Math.round(text.length / 1024)} KiB of JSON, no problems`,
        `${ROUNDS} interleaved rounds of ${BATCH} runs each after ${WARM_UP} untimed; medians. Validation: fastest ${round(sorted[0]!)} ms, 90th percentile ${round(sorted[Math.floor(ROUNDS * 0.9)]!)} ms`,
        `ratio ${round(measured / baseline)}× against JSON.parse, which gives neither positions nor checks`,
      ],
    };
  },
};

function timePerRun(run: () => void): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) run();
  return Number(process.hrtime.bigint() - started) / 1e6 / BATCH;
}

/** A valid storyboard with `count` videos of every kind, the same text on every run. */
export function generatedStoryboard(count: number): string {
  const videos: Array<Record<string, unknown>> = [];
  for (let i = 0; i < count; i++) {
    const name = `scene-${String(i + 1).padStart(3, '0')}`;
    switch (i % 5) {
      case 0:
        videos.push({ name, prompt: `A golden retriever running through a sunlit meadow, take ${i + 1}, cinematic slow motion.`, duration: 3 + (i % 13) });
        break;
      case 1:
        videos.push({
          name,
          quality: '1080p',
          sound: 'on',
          shots: [
            { prompt: `A person on a hilltop at dawn, take ${i + 1}`, duration: 4 },
            { prompt: 'The camera pulls back to reveal the city', duration: 6 },
          ],
        });
        break;
      case 2:
        videos.push({ name, prompt: 'Product reveal, three dramatic angles', duration: 9, shots: 'auto', aspect_ratio: '9:16' });
        break;
      case 3:
        videos.push({ name, prompt: 'The logo turns slowly', image: 'https://cdn.example.com/logo.png', end_image: 'https://cdn.example.com/logo-end.png' });
        break;
      default:
        videos.push({ name, prompt: '<<<element_1>>> waves at <<<element_2>>>', elements: ['mascot', 'sidekick'], negative_prompt: 'blurry, watermark' });
    }
  }
  const elements = ['mascot', 'sidekick'].map((name) => ({
    name,
    description: `The ${name}, a round orange robot`,
    frontal_image: `https://cdn.example.com/${name}.png`,
    refer_images: [`https://cdn.example.com/${name}-side.png`],
  }));
  const storyboard = { version: 1, output: 'media/videos', defaults: { aspect_ratio: '16:9', quality: '720p', watermark: false }, videos, elements };
  return `${JSON.stringify(storyboard, null, 2)}\n`;
}
