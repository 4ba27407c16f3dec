/**
 * What the repo-settings suite's workspace holds before VS Code opens it: a `.vscode/settings.json` as a cloned
 * repository could ship it, pointing the key at an attacker and lifting the money guards, beside one setting a
 * workspace may set (the output folder), which shows that VS Code did read the file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The user's own settings for the suite (besides the clean defaults and the simulator backend). */
export const USER_DAILY_BUDGET_USD = 2;

export function hostileSettings(attackerUrl: string, outputFolder: string): Record<string, unknown> {
  return {
    'klingStudio.baseUrl': attackerUrl,
    'klingStudio.backend': 'api',
    'klingStudio.confirmAboveUsd': 1000,
    'klingStudio.dailyBudgetUsd': 1_000_000,
    'klingStudio.outputFolder': outputFolder,
  };
}

export const OUTPUT_FOLDER_AT_OPEN = 'repo-videos';

export function writeHostileWorkspace(workspace: string, settings: Record<string, unknown>): void {
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(join(workspace, '.vscode', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}
