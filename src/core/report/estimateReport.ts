import { z } from 'zod';
import { ExitCodeSchema } from './exitCode';
import { FileProblems, PricedVideo, ReportElement, ShardSelection, SinceSelection, Totals } from './reportParts';

export const PlanState = z
  .enum(['to-render', 'up-to-date', 'under-way', 'outcome-unknown'])
  .describe('to-render: would be created and paid for; up-to-date: its result is saved; under-way: a task is already paid for and running (or waits to be downloaded); outcome-unknown: an earlier create got no answer, rendered again only with --force');

/** `kling estimate --json`. */
export const EstimateReport = z
  .object({
    command: z.literal('estimate'),
    version: z.string().describe('the version of kling that wrote it'),
    exitCode: ExitCodeSchema,
    videos: z.array(
      PricedVideo.extend({
        state: PlanState,
        downloadPending: z.literal(true).optional().describe('with under-way: its task is done and paid for, its download failed; render or kling download fetches it'),
      }),
    ),
    elements: z.array(ReportElement).describe('the elements rendering would create for the videos to render'),
    total: Totals.describe('what rendering now would spend: the videos to render and the elements to create'),
    all: Totals.describe('the price of every video listed, up to date or under way included; elements left out'),
    shard: ShardSelection.optional(),
    since: SinceSelection.optional(),
    problems: z.array(FileProblems).describe('storyboards that could not be estimated'),
  })
  .describe('kling estimate --json: what each video costs and what rendering now would spend');
export type EstimateReport = z.infer<typeof EstimateReport>;
export type PlanState = z.infer<typeof PlanState>;
