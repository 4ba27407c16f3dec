import { z } from 'zod';
import { QUALITIES, SOUNDS } from '../api/apiSchemas';

// Pieces the CLI's JSON documents share (docs/cli.md, "JSON documents"). Amounts are JSON numbers computed from
// exact decimals (src/core/pricing/decimal.ts): 0.225, never 0.22499999999999998.

export const Usd = z.number().min(0).describe('US dollars');
export const Credits = z.number().min(0).describe("the service's credits");

export const Money = z.object({ usd: Usd, credits: Credits });

/** A sum over videos (and elements): what it is made of and what it costs. */
export const Totals = z.object({
  videos: z.int().min(0).describe('how many videos'),
  elements: z.int().min(0).describe('how many elements to create (1 credit each)'),
  seconds: z.int().min(0).describe('seconds of video'),
  usd: Usd,
  credits: Credits,
});

/** One problem of a storyboard, at its place: 1-based lines and columns, the end exclusive as editors count. */
export const ReportProblem = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string().describe('what kind of problem (docs/storyboard-format.md): unknown-field, shot-sum, …'),
  message: z.string(),
  line: z.int().min(1),
  column: z.int().min(1),
  endLine: z.int().min(1),
  endColumn: z.int().min(1),
  fix: z.string().optional().describe('the obvious fix, in words, where there is one'),
});

/** A storyboard that could not be used, and why. */
export const FileProblems = z.object({
  file: z.string().describe('the storyboard, as given on the command line'),
  problems: z.array(ReportProblem),
  problemCount: z.int().min(0).describe('every problem found, also those past the 200 described'),
});

export const ShardSelection = z.object({
  index: z.int().min(1).describe('this part, from 1'),
  count: z.int().min(1).describe('how many parts'),
});

export const SinceSelection = z.object({
  ref: z.string().describe('the git revision compared with'),
  unchanged: z.array(z.object({ storyboard: z.string(), name: z.string() })).describe('videos left out: their request is the same as at the revision'),
});

/** A video of a storyboard as priced: its name, the file it becomes, and what it costs. */
export const PricedVideo = z.object({
  storyboard: z.string().describe('the storyboard file, as given on the command line'),
  name: z.string(),
  file: z.string().describe('where the video is saved, relative to the current folder'),
  seconds: z.int(),
  quality: z.enum(QUALITIES),
  sound: z.enum(SOUNDS),
  usd: Usd,
  credits: Credits,
});

export const ReportElement = z.object({
  storyboard: z.string(),
  name: z.string(),
  usd: Usd,
  credits: Credits,
});

export type ReportProblem = z.infer<typeof ReportProblem>;
export type FileProblems = z.infer<typeof FileProblems>;
export type Totals = z.infer<typeof Totals>;
export type PricedVideo = z.infer<typeof PricedVideo>;
