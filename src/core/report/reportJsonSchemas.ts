import { z } from 'zod';
import { DownloadReport } from './downloadReport';
import { EstimateReport } from './estimateReport';
import { RenderReport } from './renderReport';
import { StatusReport } from './statusReport';
import { ValidateReport } from './validateReport';

const REPORTS = { validate: ValidateReport, estimate: EstimateReport, render: RenderReport, status: StatusReport, download: DownloadReport } as const;

export type ReportCommand = keyof typeof REPORTS;

/** Where the build publishes each document's schema, beside the storyboard's (schemas/kling.schema.json). */
export function reportSchemaFile(command: ReportCommand): string {
  return `kling-${command}.schema.json`;
}

export function reportSchemaId(command: ReportCommand): string {
  return `https://kling-studio.dev/schemas/${reportSchemaFile(command)}`;
}

/**
 * The JSON Schema of every `--json` document, generated from the zod schemas the CLI builds them with (never written
 * by hand). Draft-07, like the storyboard's.
 */
export function reportJsonSchemas(): Record<ReportCommand, Record<string, unknown>> {
  const entries = Object.entries(REPORTS).map(([command, schema]) => {
    const generated = z.toJSONSchema(schema, { target: 'draft-07', io: 'output' }) as Record<string, unknown>;
    return [command, { $schema: generated['$schema'], $id: reportSchemaId(command as ReportCommand), title: `kling ${command} --json`, ...generated }];
  });
  return Object.fromEntries(entries) as Record<ReportCommand, Record<string, unknown>>;
}
