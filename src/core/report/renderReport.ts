import { z } from 'zod';
import { ExitCodeSchema } from './exitCode';
import { FileProblems, Money, PricedVideo, ReportElement, ShardSelection, SinceSelection, Totals } from './reportParts';

export const RenderState = z
  .enum(['saved', 'up-to-date', 'failed', 'outcome-unknown', 'download-pending', 'to-render', 'under-way'])
  .describe('saved: rendered and saved by this run (or one it followed); up-to-date: nothing to do; failed: see message; outcome-unknown: a create got no answer, a task may be charged; download-pending: paid for, kling download fetches it; to-render and under-way: the run was refused before anything was created');

/** `kling render --json`. */
export const RenderReport = z
  .object({
    command: z.literal('render'),
    version: z.string().describe('the version of kling that wrote it'),
    exitCode: ExitCodeSchema,
    simulated: z.boolean().describe('true on the built-in simulator: nothing real was generated or spent'),
    videos: z.array(
      PricedVideo.extend({
        state: RenderState,
        sidecar: z.string().optional().describe('the sidecar beside a saved video, relative to the current folder'),
        taskId: z.string().optional(),
        spent: Money.describe("what this run created for this video: its price, unless it was only followed or failed (the service refunds failures)"),
        message: z.string().optional().describe('why it failed, or what to do next'),
        web: z
          .object({
            fastStart: z.boolean().describe('the saved MP4 has its index (moov) before its media (mdat)'),
            remuxed: z.boolean().describe('this run moved moov first (false: it already was, or could not be)'),
            poster: z.string().optional().describe('the poster JPEG written beside it, relative to the current folder'),
            problem: z.string().optional().describe('what was not done, and why: the CLI has no H.264 decoder, so it writes no poster'),
          })
          .optional()
          .describe('for a video with "web": true saved by this run: what was done to make it web-ready'),
      }),
    ),
    elements: z.array(ReportElement.extend({ created: z.boolean().describe('created by this run (and so paid for)') })),
    total: z.object({
      estimated: Totals.describe('the price shown before spending: videos to render and elements to create'),
      spent: Money.describe('what this run created and was not refunded'),
      unknown: Money.describe('creates whose outcome is unknown: they may have been charged'),
    }),
    counts: z.object({
      rendered: z.int().min(0),
      upToDate: z.int().min(0),
      failed: z.int().min(0),
      unknown: z.int().min(0),
      downloadPending: z.int().min(0),
    }),
    refused: z
      .object({
        reason: z.enum(['max-usd', 'confirmation', 'service']),
        message: z.string(),
        overByUsd: z.number().min(0).optional().describe('with --max-usd: how far the price is above it'),
      })
      .optional()
      .describe('why nothing (more) was created'),
    shard: ShardSelection.optional(),
    since: SinceSelection.optional(),
    problems: z.array(FileProblems).describe('storyboards that could not be rendered'),
  })
  .describe('kling render --json: what each video became, and what was spent');
export type RenderReport = z.infer<typeof RenderReport>;
export type RenderState = z.infer<typeof RenderState>;
