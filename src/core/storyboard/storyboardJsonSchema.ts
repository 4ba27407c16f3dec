import { z } from 'zod';
import { Storyboard } from './storyboardSchema';

export const STORYBOARD_SCHEMA_ID = 'https://kling-studio.dev/schemas/kling.schema.json';

/**
 * The JSON Schema of `.kling.json`, generated from the zod schema (never written by hand). Draft-07, which VS
 * Code's JSON language service understands best; `allowComments` and `allowTrailingCommas` are VS Code's own
 * keywords and let storyboards carry comments, as the scaffold does, without errors in the editor.
 */
export function storyboardJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(Storyboard, { target: 'draft-07', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema: generated['$schema'],
    $id: STORYBOARD_SCHEMA_ID,
    title: 'Kling Studio storyboard',
    ...generated,
    allowComments: true,
    allowTrailingCommas: true,
  };
}
