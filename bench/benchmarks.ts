import { activationEntrySize } from './activationEntrySize';
import { activationTime } from './activationTime';
import { ciShards } from './ciShards';
import type { Benchmark } from './benchmark';
import { downloadMemory } from './downloadMemory';
import { downloadThroughput } from './downloadThroughput';
import { pollingLoad } from './pollingLoad';
import { storyboardValidation } from './storyboardValidation';
import { validateGithub } from './validateGithub';
import { vsixSize } from './vsixSize';

/** Every figure of `npm run bench`, in the order they run and print. A new figure is one file and one line here. */
export const BENCHMARKS: readonly Benchmark[] = [downloadThroughput, downloadMemory, pollingLoad, vsixSize, activationEntrySize, activationTime, storyboardValidation, validateGithub, ciShards];
