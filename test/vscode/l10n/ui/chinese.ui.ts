/**
 * The composer and the Tasks view in Simplified Chinese: the manifest's words (view names, the welcome text) from
 * package.nls.zh-cn.json, the composer page's and the Tasks view's from l10n/bundle.l10n.zh-cn.json (the page gets it
 * from the host, so this also proves the extension host loaded the bundle). English must not show where a
 * translation exists.
 */
import assert from 'node:assert/strict';
import type { UiTest } from '../../harness/run';
import { waitFor } from '../../harness/wait';
import { input, text, waitForText } from '../../composer/ui/composerWorkbench';

export const composerAndTasksInChinese: UiTest = {
  name: 'the composer and the Tasks view speak Chinese',
  timeoutMs: 120_000,
  async run(workbench) {
    const page = workbench.page;
    const tasks = page.locator('.pane', { has: page.locator('.pane-header', { hasText: '任务' }) }).first();
    const item = page.locator('.activitybar .action-item', { has: page.locator('[aria-label^="Kling Studio"]') }).first();
    await waitFor(
      async () => {
        if (await tasks.isVisible().catch(() => false)) return true;
        if (!((await item.getAttribute('class').catch(() => '')) ?? '').split(/\s+/).includes('checked')) await item.click().catch(() => undefined);
        return undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: 'the Kling Studio view to open with its Tasks pane named 任务' },
    );
    assert.ok(await page.locator('.pane-header', { hasText: '创作面板' }).first().isVisible(), 'the Composer pane is named 创作面板');
    // The Tasks view's welcome text (viewsWelcome, package.nls.zh-cn.json) and its button.
    await tasks.locator('.welcome-view-content', { hasText: '还没有视频' }).waitFor({ timeout: 20_000 });
    assert.ok(await tasks.locator('.monaco-button', { hasText: '打开创作面板' }).first().isVisible(), 'the welcome button is in Chinese');

    // The composer's page: its labels and its Generate button, once the host has told it the balance.
    const composer = await workbench.webviewFrame({ selector: '#composer #prompt' }, 30_000);
    await waitFor(async () => (!/…$/.test(await text(composer, '#balance').catch(() => '…')) ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the composer to hear from the host',
    });
    assert.equal(await text(composer, '#generate'), '生成');
    assert.equal(await composer.evaluate(() => document.documentElement.lang), 'zh-cn');
    assert.equal(await text(composer, 'vscode-label[for="prompt"]'), '提示词');
    assert.match(await text(composer, '#multi-shot-help'), /^一个连续镜头。$/);
    assert.equal(await composer.locator('#prompt').getAttribute('placeholder'), '主体、动作、场景、镜头、风格：一只金毛寻回犬奔跑穿过阳光明媚的草地，电影感慢动作');
    const form = await text(composer, '#composer');
    for (const english of ['Aspect ratio', 'Negative prompt', 'Duration', 'Quality', 'Generate']) {
      assert.ok(!form.includes(english), `the composer shows no "${english}" (it says: ${form.slice(0, 300)}…)`);
    }

    // A video on the simulator: the composer's status and the task's row come from the extension's own strings.
    await input(composer, 'prompt').fill('一只红色的风筝飞过绿色的山丘');
    await composer.locator('#generate').click();
    await waitForText(composer, '.status', /任务已创建/, 30_000);
    const row = tasks.locator('.monaco-list-row', { hasText: '一只红色的风筝' }).first();
    await waitFor(async () => (/模拟/.test(await row.innerText().catch(() => '')) ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'the task row to say 模拟 (simulated)',
    });
    const saved = await waitFor(async () => {
      const line = await row.innerText().catch(() => '');
      return /\.mp4/.test(line) ? line : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200, what: 'the video to be saved' });
    assert.match(saved, /模拟/, 'the saved task says it was simulated, in Chinese');
    // The notification of the saved video is the extension's own string too.
    await page.locator('.notifications-toasts', { hasText: '视频已就绪(模拟)' }).first().waitFor({ timeout: 20_000 });
    // The composer from its top, for the README (media/readme/composer-zh-cn.png).
    await composer.evaluate(() => window.scrollTo(0, 0));
    await waitFor(async () => ((await composer.evaluate(() => window.scrollY)) === 0 ? true : undefined), { timeoutMs: 5000, what: 'the composer to scroll to its top' });
    await workbench.screenshot('l10n-zh-cn-composer-and-tasks');
  },
};
