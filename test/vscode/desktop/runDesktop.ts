/**
 * `npm run test:desktop`: the same API suites as the code-server tier, in desktop VS Code through
 * @vscode/test-electron's runTests, wherever VS Code can be downloaded (a developer's machine, GitHub's runners on
 * Linux, Windows and macOS: .github/workflows/ci.yml). On a machine that cannot download VS Code (this project's
 * offline CI), it says so in one line and exits 0 without claiming a pass; the code-server tier is the gate there.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import type { ApiSuite } from '../harness/apiTests';
import { composerSuites } from '../composer/suites';
import { tasksSuites } from '../kling/suites';
import { previewSuites } from '../preview/suites';
import { storyboardsSuites } from '../storyboards/suites';
import { takesSuites } from '../takes/suites';
import { createTierContext } from '../tierContext';
import { errorText } from '../../../src/core/text/errorText';

async function main(): Promise<number> {
  let vscodeExecutablePath: string;
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode({ version: process.env['KLING_DESKTOP_VSCODE'] ?? 'stable', timeout: 20_000 });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    console.log(`test:desktop: VS Code could not be downloaded here (${reason}); no desktop test was run. The code-server tier (npm run test:vscode) is the gate on this machine.`);
    return 0;
  }
  const { context, close } = await createTierContext({ packageVsix: false });
  const filter = process.argv[2];
  const suites = [tasksSuites, storyboardsSuites, previewSuites, composerSuites, takesSuites]
    .flatMap((area) => area(context))
    .filter((s): s is ApiSuite => s.kind === 'api' && (!filter || s.name.includes(filter)));
  let failed = 0;
  try {
    for (const suite of suites) {
      const userData = mkdtempSync(join(tmpdir(), `kling-desktop-${suite.name}-`));
      mkdirSync(join(userData, 'User'), { recursive: true });
      writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(suite.settings ?? {}, null, 2));
      const args = [suite.workspace ?? mkdtempSync(join(tmpdir(), 'kling-desktop-ws-')), '--user-data-dir', userData, '--extensions-dir', join(userData, 'extensions'), '--skip-welcome', '--skip-release-notes'];
      if (suite.disableWorkspaceTrust !== false) args.push('--disable-workspace-trust');
      console.log(`▶ ${suite.name} (desktop)`);
      try {
        await runTests({ vscodeExecutablePath, extensionDevelopmentPath: suite.extensionDevelopmentPath, extensionTestsPath: suite.testsIndex, launchArgs: args, extensionTestsEnv: suite.env });
        console.log(`  ${suite.name}: passed`);
      } catch (error) {
        failed++;
        console.log(`  ${suite.name}: failed (${errorText(error)})`);
      }
    }
  } finally {
    await close();
  }
  console.log(`${suites.length - failed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

void main().then((code) => process.exit(code));
