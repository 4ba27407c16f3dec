/**
 * The VS Code tier of `npm test`: every Kling Studio suite in a real VS Code (code-server) driven by chromium.
 * `node out/test/vscode/run.js [name-filter]` runs the suites whose name contains the filter.
 *
 * Each area of the extension contributes its suites here, one line each.
 */
import { main, type Suite } from './harness/run';
import { composerSuites } from './composer/suites';
import { tasksSuites } from './kling/suites';
import { l10nSuites } from './l10n/suites';
import { previewSuites } from './preview/suites';
import { storyboardsSuites } from './storyboards/suites';
import { takesSuites } from './takes/suites';
import { createTierContext, type TierContext } from './tierContext';

const AREAS: Array<(context: TierContext) => Suite[]> = [tasksSuites, storyboardsSuites, previewSuites, composerSuites, takesSuites, l10nSuites];

async function run(): Promise<void> {
  const { context, close } = await createTierContext();
  const filter = process.argv[2];
  try {
    const suites = AREAS.flatMap((area) => area(context));
    await main(filter ? suites.filter((s) => s.name.includes(filter)) : suites);
  } finally {
    await close();
  }
}

void run();
