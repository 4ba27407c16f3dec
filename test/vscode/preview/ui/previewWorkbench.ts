/** What a person does with Kling Preview in the workbench, and what a test reads from its page. */
import type { Frame } from 'playwright-core';
import type { Workbench } from '../../harness/browser';
import { waitFor } from '../../harness/wait';

/** "View: Reopen Editor With…" → Kling Preview: the Open With… way, for a video open in another editor. */
export async function reopenWithKlingPreview(workbench: Workbench): Promise<void> {
  await workbench.runCommand('View: Reopen Editor With...', 20_000, { leavesInputOpen: true });
  const widget = workbench.page.locator('.quick-input-widget');
  const row = widget.locator('.quick-input-list .monaco-list-row', { hasText: 'Kling Preview' }).first();
  await row.waitFor({ state: 'visible', timeout: 20_000 });
  await row.click();
  await widget.waitFor({ state: 'hidden', timeout: 20_000 });
}

/** Opens a workspace file in Kling Preview as a person who knows the file's name would: Go to File, then Open With. */
export async function openInKlingPreview(workbench: Workbench, name: string): Promise<Frame> {
  await workbench.openFile(name);
  await reopenWithKlingPreview(workbench);
  return previewFrame(workbench, name);
}

/** The inner frame of the Kling Preview page showing `fileName`. */
export function previewFrame(workbench: Workbench, fileName: string, timeoutMs = 30_000): Promise<Frame> {
  return workbench.webviewFrame({ selector: `video.kling-video[aria-label="${fileName}"]` }, timeoutMs);
}

export interface VideoState {
  paused: boolean;
  ended: boolean;
  currentTime: number;
  duration: number;
  muted: boolean;
  loop: boolean;
  playbackRate: number;
  readyState: number;
  error: number | undefined;
  bodyClass: string;
}

export function videoState(frame: Frame): Promise<VideoState> {
  return frame.evaluate(() => {
    const video = document.querySelector('video')!;
    return {
      paused: video.paused,
      ended: video.ended,
      currentTime: video.currentTime,
      duration: video.duration,
      muted: video.muted,
      loop: video.loop,
      playbackRate: video.playbackRate,
      readyState: video.readyState,
      error: video.error?.code,
      bodyClass: document.body.className,
    };
  });
}

/** Waits until the video plays: not paused, and its time moves on between two looks. */
export async function waitUntilPlaying(frame: Frame, timeoutMs = 30_000): Promise<VideoState> {
  let last: VideoState | undefined;
  return waitFor(
    async () => {
      const before = await videoState(frame);
      last = before;
      if (before.paused || before.readyState < 2) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 400));
      const after = await videoState(frame);
      last = after;
      // Time moves forward, or wrapped around when the video looped.
      return !after.paused && after.currentTime !== before.currentTime ? after : undefined;
    },
    { timeoutMs, intervalMs: 200, what: 'the video to play', detail: () => `video: ${JSON.stringify(last)}` },
  );
}

/**
 * Waits until the preview of `fileName` plays, finding its frame again on each look: the page is drawn anew when its
 * file changes, and the old frame is gone.
 */
export async function waitUntilPreviewPlays(workbench: Workbench, fileName: string, timeoutMs = 30_000): Promise<Frame> {
  return waitFor(
    async () => {
      const frame = await previewFrame(workbench, fileName, timeoutMs);
      return (await waitUntilPlaying(frame, 2000).catch(() => undefined)) ? frame : undefined;
    },
    { timeoutMs, intervalMs: 200, what: `the preview of ${fileName} to play` },
  );
}

/** The text of the recipe pane. */
export function recipeText(frame: Frame): Promise<string> {
  return frame.locator('#recipe').innerText();
}
