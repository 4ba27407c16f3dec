import { z } from 'zod';
import { ExitCodeSchema } from './exitCode';

export const ReportTask = z.object({
  id: z.string().describe("the journal's own id"),
  taskId: z.string().optional().describe("the service's task id"),
  kind: z.enum(['video', 'element']),
  label: z.string(),
  status: z.enum(['submitting', 'unknown', 'pending', 'processing', 'completed', 'downloading', 'saved', 'failed', 'expired']),
  backend: z.enum(['api', 'simulator']),
  progress: z.number().optional(),
  file: z.string().optional().describe('where the video is (or will be) saved'),
  storyboard: z.string().optional(),
  message: z.string().optional().describe('the state in words: an error, why it expired, why its outcome is unknown'),
  startedBy: z.string().optional(),
  createdAt: z.string().describe('ISO 8601'),
});

/** `kling status --json`. */
export const StatusReport = z
  .object({
    command: z.literal('status'),
    version: z.string(),
    exitCode: ExitCodeSchema,
    tasks: z.array(ReportTask).describe("the journal's tasks (one, when a task id was given and the journal knows it)"),
    service: z
      .object({
        id: z.string(),
        status: z.string(),
        progress: z.number().optional(),
        etaSeconds: z.number().optional(),
        videoUrl: z.string().optional(),
        error: z.object({ code: z.string(), message: z.string() }).optional(),
      })
      .optional()
      .describe('what the service said about the task id given'),
  })
  .describe('kling status --json: the tasks of the journal, or what the service says about one');
export type StatusReport = z.infer<typeof StatusReport>;
export type ReportTask = z.infer<typeof ReportTask>;
