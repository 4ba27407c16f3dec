import { z } from 'zod';
import { ExitCodeSchema } from './exitCode';

/** `kling download --json`. */
export const DownloadReport = z
  .object({
    command: z.literal('download'),
    version: z.string(),
    exitCode: ExitCodeSchema,
    videos: z.array(
      z.object({
        label: z.string(),
        taskId: z.string().optional(),
        state: z.enum(['saved', 'failed']),
        file: z.string().optional().describe('where it was saved, relative to the current folder'),
        message: z.string().optional().describe('why it could not be saved'),
      }),
    ),
  })
  .describe('kling download --json: each paid video asked for, saved or not (nothing is paid again)');
export type DownloadReport = z.infer<typeof DownloadReport>;
