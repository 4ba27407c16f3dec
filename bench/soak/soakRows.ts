import { keyRefusedMidRun, outOfCredits } from './rows/accountRows';
import { diskFull } from './rows/diskFullRow';
import { killedRender } from './rows/killedRenderRow';
import {
  control,
  createStatusRows,
  cutDownloads,
  expiredLinks,
  garbledPolls,
  lostCreateAnswers,
  pollStatusRows,
  rateLimitedCreates,
  redirectedDownloads,
  resetCreates,
  stalledDownloads,
  strayNotFound,
  truncatedDownloads,
} from './rows/simpleFaultRows';
import { twoRenders } from './rows/twoRendersRow';
import type { SoakRow } from './soakRow';

/** Every row of `npm run soak`, in the order they run and print. */
export const SOAK_ROWS: readonly SoakRow[] = [
  control,
  rateLimitedCreates,
  ...createStatusRows,
  ...pollStatusRows,
  resetCreates,
  lostCreateAnswers,
  cutDownloads,
  truncatedDownloads,
  stalledDownloads,
  expiredLinks,
  redirectedDownloads,
  garbledPolls,
  strayNotFound,
  keyRefusedMidRun(),
  outOfCredits,
  diskFull,
  twoRenders,
  killedRender,
];
