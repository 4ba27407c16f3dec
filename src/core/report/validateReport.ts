import { z } from 'zod';
import { ExitCodeSchema } from './exitCode';
import { ReportProblem } from './reportParts';

/** `kling validate --json`. */
export const ValidateReport = z
  .object({
    command: z.literal('validate'),
    version: z.string().describe('the version of kling that wrote it'),
    exitCode: ExitCodeSchema,
    files: z.array(
      z.object({
        file: z.string().describe('the storyboard, as given on the command line'),
        valid: z.boolean(),
        videos: z.int().min(0).optional().describe('how many videos it has, when valid'),
        problems: z.array(ReportProblem),
        problemCount: z.int().min(0),
      }),
    ),
    problemCount: z.int().min(0).describe('over every file'),
  })
  .describe('kling validate --json: the problems of each storyboard');
export type ValidateReport = z.infer<typeof ValidateReport>;
