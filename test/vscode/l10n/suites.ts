/**
 * Localization: Kling Studio in VS Code with the display language zh-cn (a minimal language pack installed beside the
 * packaged vsix, as a Chinese-speaking user has one), read from the screen as that user would.
 */
import { join } from 'node:path';
import type { Suite } from '../harness/run';
import type { TierContext } from '../tierContext';
import { composerAndTasksInChinese } from './ui/chinese.ui';

export function l10nSuites(tier: TierContext): Suite[] {
  const languagePack = join(tier.repoRoot, 'test', 'vscode', 'fixtures', 'zh-cn-language-pack');
  return [
    tier.uiSuite('l10n-ui-zh-cn', tier.simulatorSettings(5), [composerAndTasksInChinese], {
      extensions: [tier.vsix, languagePack],
      locale: 'zh-cn',
    }),
  ];
}
