import * as vscode from 'vscode';
import type { AspectRatio, Quality, Sound, VideoRequest } from '../../core/api/apiSchemas';
import { loadCore } from '../lazyCore';
import { loadFeatures } from '../lazyFeatures';
import type { ExtensionLog } from '../log/extensionLog';
import { adHocOutputPath, adHocWorkspaceRoot, labelOf } from './adHocOutput';
import { ensureReady } from './ensureReady';
import { submitGeneration, type GenerationServices } from './submitGeneration';

const TOTAL_STEPS = 8;

export interface PromptDefaults {
  prompt?: string;
  negative_prompt?: string;
  duration?: number;
  aspect_ratio?: AspectRatio;
  quality?: Quality;
  sound?: Sound;
}

/**
 * Kling: Generate from Prompt… — prompt, negative prompt, an optional first frame, duration, aspect ratio, quality
 * and sound in quick inputs, then a last step that shows the price before anything is spent. With a first frame the
 * video is made as the composer makes one (the image uploaded after the price was accepted).
 */
export async function generateFromPrompt(services: GenerationServices, defaults: PromptDefaults, log: ExtensionLog): Promise<string | undefined> {
  if (!(await ensureReady(services.backends))) return undefined;
  const core = loadCore();
  const features = loadFeatures();
  const title = (step: number) =>
    `${vscode.l10n.t('Generate from Prompt ({0}/{1})', step, TOTAL_STEPS)}${services.backends.isSimulated() ? ` — ${vscode.l10n.t('simulator')}` : ''}`;

  const prompt = await vscode.window.showInputBox({
    title: title(1),
    prompt: vscode.l10n.t('Describe the video: subject, action, setting, camera, style.'),
    placeHolder: vscode.l10n.t('A golden retriever running through a sunlit meadow, cinematic slow motion'),
    value: defaults.prompt,
    ignoreFocusOut: true,
    validateInput: (value) => {
      if (value.trim() === '') return vscode.l10n.t('Describe the video to generate.');
      if (value.length > core.PROMPT_MAX) return vscode.l10n.t('The prompt is {0} characters long; the limit is {1}.', value.length, core.PROMPT_MAX);
      return undefined;
    },
  });
  if (prompt === undefined) return undefined;

  const negative = await vscode.window.showInputBox({
    title: title(2),
    prompt: vscode.l10n.t('What the video should not show (optional: leave it empty for none).'),
    placeHolder: vscode.l10n.t('blurry, text, watermark'),
    value: defaults.negative_prompt,
    ignoreFocusOut: true,
    validateInput: (value) => (value.length > core.PROMPT_MAX ? vscode.l10n.t('The negative prompt is {0} characters long; the limit is {1}.', value.length, core.PROMPT_MAX) : undefined),
  });
  if (negative === undefined) return undefined;

  const startFrom = await pick<'text' | 'image'>(
    title(3),
    vscode.l10n.t('Start from an image? (image-to-video: the image is the first frame)'),
    [
      { label: `$(edit) ${vscode.l10n.t('From the prompt alone')}`, value: 'text', description: vscode.l10n.t('text-to-video') },
      { label: `$(file-media) ${vscode.l10n.t('Start from an image…')}`, value: 'image', description: vscode.l10n.t('a JPEG or PNG from the workspace') },
    ],
    'text',
  );
  if (startFrom === undefined) return undefined;
  let image: string | undefined;
  if (startFrom === 'image') {
    const file = await features.pickImageFile(vscode.l10n.t('Generate from Prompt: the first frame'));
    if (!file) return undefined;
    const chosen = await features.acceptImageFile(file, 'first frame');
    if (!chosen) return undefined;
    if ('problem' in chosen) {
      void vscode.window.showErrorMessage(chosen.problem);
      return undefined;
    }
    const verdict = await features.checkWorkspaceImage(chosen.ref);
    if (verdict) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Not used as the first frame: {0}', verdict));
      return undefined;
    }
    image = chosen.ref;
  }

  const durations = Array.from({ length: core.DURATION_MAX - core.DURATION_MIN + 1 }, (_, i) => core.DURATION_MIN + i);
  const duration = await pick(
    title(4),
    vscode.l10n.t('How long? Billed per second.'),
    durations.map((d) => ({ label: vscode.l10n.t('{0} s', d), value: d, description: d === 5 ? vscode.l10n.t('default') : undefined })),
    defaults.duration ?? 5,
  );
  if (duration === undefined) return undefined;

  const aspect = await pick<AspectRatio>(
    title(5),
    vscode.l10n.t('Frame shape'),
    [
      { label: '$(device-desktop) 16:9', value: '16:9', description: vscode.l10n.t('landscape') },
      { label: '$(device-mobile) 9:16', value: '9:16', description: vscode.l10n.t('portrait') },
      { label: '$(primitive-square) 1:1', value: '1:1', description: vscode.l10n.t('square') },
    ],
    defaults.aspect_ratio ?? '16:9',
  );
  if (aspect === undefined) return undefined;

  const priceOf = (quality: Quality, sound: Sound) => core.priceVideo({ duration, quality, sound });
  const quality = await pick<Quality>(
    title(6),
    vscode.l10n.t('Resolution'),
    core.QUALITIES.map((q) => ({ label: q, value: q, description: vscode.l10n.t('{0} for {1} s', core.formatUsd(priceOf(q, 'off').usd), duration) })),
    defaults.quality ?? '720p',
  );
  if (quality === undefined) return undefined;

  const sound = await pick<Sound>(
    title(7),
    vscode.l10n.t('Sound'),
    [
      { label: `$(mute) ${vscode.l10n.t('Off')}`, value: 'off', description: core.formatUsd(priceOf(quality, 'off').usd) },
      {
        label: `$(unmute) ${vscode.l10n.t('On')}`,
        value: 'on',
        description: `${core.formatUsd(priceOf(quality, 'on').usd)} — ${vscode.l10n.t('VS Code\'s player cannot play AAC sound; open the file in a system player to hear it')}`,
      },
    ],
    defaults.sound ?? 'off',
  );
  if (sound === undefined) return undefined;

  const price = priceOf(quality, sound);
  const priceText = `${core.formatUsd(price.usd)} · ${vscode.l10n.t('{0} credits', core.formatAmount(price.credits))}`;
  const go = await pick<boolean>(
    `${title(8)}: ${image ? `${vscode.l10n.t('image-to-video from {0}', image)} · ` : ''}${vscode.l10n.t('{0} s', duration)} · ${aspect} · ${quality} · ${vscode.l10n.t('sound {0}', sound)}`,
    vscode.l10n.t('Check the price, then generate'),
    [
      {
        label: `$(play) ${vscode.l10n.t('Generate — {0}', priceText)}`,
        value: true,
        description: services.backends.isSimulated() ? vscode.l10n.t('simulated: nothing is spent') : vscode.l10n.t('charged when the task is created'),
      },
      { label: `$(close) ${vscode.l10n.t('Cancel')}`, value: false },
    ],
    true,
  );
  if (!go) return undefined;

  if (image !== undefined) {
    // The composer's Generate uploads the frame, records it for Regenerate, and makes the video; the price was seen.
    const draft = {
      ...core.emptyDraft(),
      prompt: prompt.trim(),
      negative_prompt: negative.trim(),
      duration: String(duration),
      aspect_ratio: aspect,
      quality,
      sound,
      image,
    };
    const made = await features.generateFromComposer(draft, { ...services, log }, () => generateFromPrompt(services, { ...defaults, prompt, negative_prompt: negative }, log));
    return made?.label;
  }

  const request: VideoRequest = core.buildVideoRequest({ prompt: prompt.trim(), ...(negative.trim() ? { negative_prompt: negative.trim() } : {}), duration, aspect_ratio: aspect, quality, sound });
  const backend = services.backends.current();
  const entry = await submitGeneration(
    services,
    {
      kind: 'video',
      label: labelOf(prompt),
      request,
      requestHash: core.requestHash(request),
      price: { seconds: price.seconds, usd: core.formatAmount(price.usd), credits: core.formatAmount(price.credits) },
      backend,
      outputPath: adHocOutputPath(prompt, services),
      workspaceRoot: adHocWorkspaceRoot(services),
    },
    { what: vscode.l10n.t('a {0} s video', duration), alreadyConfirmed: false },
  );
  return entry?.id;
}

async function pick<T>(
  title: string,
  placeHolder: string,
  items: Array<{ label: string; value: T; description?: string | undefined }>,
  preselected: T,
): Promise<T | undefined> {
  const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { value: T }>();
  quickPick.title = title;
  quickPick.placeholder = placeHolder;
  quickPick.ignoreFocusOut = true;
  quickPick.items = items;
  quickPick.activeItems = items.filter((i) => i.value === preselected);
  try {
    return await new Promise<T | undefined>((resolve) => {
      quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]?.value ?? quickPick.activeItems[0]?.value));
      quickPick.onDidHide(() => resolve(undefined));
      quickPick.show();
    });
  } finally {
    quickPick.dispose();
  }
}

// Where they used to live; the composer and others import them from ./adHocOutput.
export { adHocOutputPath, labelOf };
