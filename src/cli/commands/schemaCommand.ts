import { reportJsonSchemas, type ReportCommand } from '../../core/report/reportJsonSchemas';
import { storyboardJsonSchema } from '../../core/storyboard/storyboardJsonSchema';
import { COMMON_HELP, defineCommand } from '../cliCommand';
import { out, UsageError } from '../cliContext';

const DOCUMENTS: readonly ReportCommand[] = ['validate', 'estimate', 'render', 'status', 'download'];

export const schemaCommand = defineCommand({
  name: 'schema',
  summary: 'schema [NAME]     the JSON Schema of storyboards, or of a command\'s --json document',
  help: `Usage: kling schema [${DOCUMENTS.join(' | ')}]

Prints the JSON Schema (draft-07) of *.kling.json storyboards, generated from the same definitions the validator
uses; with a command's name, the schema of that command's --json document. Point other editors or CI tools at it.
The build also writes them to schemas/ (kling.schema.json, kling-<command>.schema.json).
${COMMON_HELP}`,
  options: {},
  run(ctx, args) {
    if (args.length > 1) throw new UsageError('schema takes at most one name');
    const name = args[0];
    if (name === undefined || name === 'storyboard') {
      out(ctx, JSON.stringify(storyboardJsonSchema(), null, 2));
      return 0;
    }
    if (!DOCUMENTS.includes(name as ReportCommand)) throw new UsageError(`no schema named ${name}; there are: storyboard, ${DOCUMENTS.join(', ')}`);
    out(ctx, JSON.stringify(reportJsonSchemas()[name as ReportCommand], null, 2));
    return 0;
  },
});
