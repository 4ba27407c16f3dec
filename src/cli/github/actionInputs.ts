/** The GitHub Action's inputs (action.yml), as `kling action` reads them from INPUT_* variables. */
export const ACTION_INPUTS = ['command', 'storyboards', 'api-key', 'base-url', 'max-usd', 'shard', 'since', 'simulator'] as const;
export type ActionInput = (typeof ACTION_INPUTS)[number];
