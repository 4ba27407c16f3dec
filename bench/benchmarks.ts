import type { Benchmark } from './benchmark';
import { downloadMemory } from './downloadMemory';
import { downloadThroughput } from './downloadThroughput';
import { pollingLoad } from './pollingLoad';
import { storyboardValidation } from './storyboardValidation';

/** Every figure of `npm run bench`, in the order they run and print. A new figure is one file and one line here. */
export const BENCHMARKS: readonly Benchmark[] = [downloadThroughput, downloadMemory, pollingLoad, storyboardValidation];
