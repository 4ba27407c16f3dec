import { storyboardJsonSchema } from '../../core/storyboard/storyboardJsonSchema';
import { out, type CliContext } from '../cliContext';

export const SCHEMA_HELP = `Usage: kling schema

Prints the JSON Schema of *.kling.json storyboards (draft-07), generated from the same definitions the
validator uses. Point other editors or CI tools at it.`;

export function schemaCommand(ctx: CliContext): number {
  out(ctx, JSON.stringify(storyboardJsonSchema(), null, 2));
  return 0;
}
