// The Kling Preview page: the video with its controls, loop and speed, and beside it the recipe the host sends.
// After VS Code's media-preview page (media/videoPreview.js): a loading state until the first frame, an error state
// that offers the default editor. Everything the user asks for beyond playback is a message to the host.
// First: the translation is set before any module builds a string.
import '../l10n/pageL10n';
import * as l10n from '@vscode/l10n';
import './preview.css';
import type { RecipeElement, RecipeFrame, RecipeShot, VideoRecipe } from '../../core/preview/videoRecipe';
import { parseHostMessage, PreviewSettings, type FramePurpose, type PageMessage, type Playback, type PreviewAction, type PreviewState } from './protocol';
import { formatBytes } from '../../core/text/formatBytes';
import { formatCredits, parseAmount } from '../../core/pricing/decimal';
import { formatRange, formatTime, PLAYBACK_RATES, shotAt } from './timeline';

declare function acquireVsCodeApi(): { postMessage(message: PageMessage): void };

const vscode = acquireVsCodeApi();
const post = (message: PageMessage) => vscode.postMessage(message);

const settings = readSettings();
const body = document.body;
const video = byId<HTMLVideoElement>('video');
const loopBox = byId<HTMLInputElement>('loop');
const rateSelect = byId<HTMLSelectElement>('rate');
const audioNote = byId<HTMLElement>('audio-note');
const recipePane = byId<HTMLElement>('recipe');
const errorDetail = byId<HTMLElement>('error-detail');
const actionsBar = byId<HTMLElement>('actions-bar');

let state: PreviewState | undefined;
let shotItems: HTMLElement[] = [];
let settled = false;

setUpPlayback(settings.playback);
video.addEventListener('loadeddata', onLoaded);
video.addEventListener('loadedmetadata', fitToStage);
video.addEventListener('error', onLoadFailed);
video.addEventListener('timeupdate', markCurrentShot);
video.src = settings.src;

byId('reopen-default').addEventListener('click', () => act('reopenDefault'));
byId('audio-open-external').addEventListener('click', () => act('openExternal'));
window.addEventListener('message', (event: MessageEvent) => {
  // The host's messages are checked as the host checks the page's: one that does not fit is not shown, and said.
  const parsed = parseHostMessage(event.data);
  if (!parsed.ok) {
    console.warn(`Kling Preview: ignored a message from the host, ${parsed.reason}`);
    return;
  }
  switch (parsed.message.type) {
    case 'preview/state':
      show(parsed.message);
      break;
  }
});
post({ type: 'preview/ready' });

function onLoaded(): void {
  if (settled) return;
  settled = true;
  body.classList.remove('loading');
  body.classList.add('ready');
  void autoplay();
}

/** Plays at once, as a preview opened to judge a result should; muted if the autoplay policy refuses sound. */
async function autoplay(): Promise<void> {
  try {
    await video.play();
  } catch (error) {
    if (error instanceof DOMException && error.name === 'NotAllowedError') {
      video.muted = true;
      await video.play().catch(() => undefined);
    }
  }
}

function onLoadFailed(): void {
  if (settled) return;
  settled = true;
  body.classList.remove('loading');
  body.classList.add('error');
  showErrorDetail();
  const error = video.error;
  post({ type: 'preview/loadFailed', detail: `${error?.code ?? '?'}: ${error?.message || 'the video element gave no reason'}`.slice(0, 500) });
}

function showErrorDetail(): void {
  errorDetail.textContent = state?.fileProblem ? `${capitalise(state.fileProblem)}.` : '';
}

function setUpPlayback(playback: Playback): void {
  for (const rate of PLAYBACK_RATES) {
    const option = element('option', { text: `${rate}×` });
    option.value = String(rate);
    rateSelect.append(option);
  }
  rateSelect.value = String(playback.rate);
  loopBox.checked = playback.loop;
  video.loop = playback.loop;
  // The load that setting `src` starts resets playbackRate to defaultPlaybackRate: set both.
  video.defaultPlaybackRate = playback.rate;
  video.playbackRate = playback.rate;
  const changed = () => {
    const next: Playback = { loop: loopBox.checked, rate: Number(rateSelect.value) };
    video.loop = next.loop;
    video.defaultPlaybackRate = next.rate;
    video.playbackRate = next.rate;
    post({ type: 'preview/playback', playback: next });
  };
  loopBox.addEventListener('change', changed);
  rateSelect.addEventListener('change', changed);
}

function show(next: PreviewState): void {
  state = next;
  audioNote.hidden = !next.aacAudio;
  if (body.classList.contains('error')) showErrorDetail();
  recipePane.replaceChildren(...(next.recipe ? recipeView(next.recipe, next) : unknownRecipeView(next)));
  // Across the top of the page, not in the recipe's column: one row at 900 px, room for more actions before it wraps.
  actionsBar.replaceChildren(actionsView(next), frameActionsView());
  markCurrentShot();
}

function recipeView(recipe: VideoRecipe, current: PreviewState): HTMLElement[] {
  const title = element('h1', { text: recipe.title });
  if (recipe.simulated) {
    // Inside the heading and bound to its last word: when the line is full the word moves down with the badge, so the
    // badge is always on the title's (last) line rather than on one of its own.
    const words = recipe.title.split(' ');
    const last = words.pop() ?? '';
    title.replaceChildren(
      words.length ? `${words.join(' ')} ` : '',
      element('span', { class: 'title-end' }, [
        element('span', { class: 'title-last', text: `${last} ` }),
        element('span', { class: 'badge', text: l10n.t('Simulated'), title: l10n.t('Made by the built-in simulator: a placeholder video, nothing was spent.') }),
      ]),
    );
  }
  const header = element('header', { class: 'recipe-header' }, [title]);
  const parts: HTMLElement[] = [header, ...takesView(current)];

  if (recipe.prompt) parts.push(section(l10n.t('Prompt'), [element('p', { class: 'prompt', text: recipe.prompt })]));
  if (recipe.shots.length > 0) {
    parts.push(section(l10n.t('Shots'), [shotsView(recipe.shots)], l10n.t('Click a shot to play from its start.')));
  } else if (recipe.shotsPlannedByModel) {
    parts.push(section(l10n.t('Shots'), [element('p', { class: 'muted', text: l10n.t('Planned by the model (multi-shot "auto"): no times to show.') })]));
  }
  if (recipe.negativePrompt) parts.push(section(l10n.t('Negative prompt'), [element('p', { class: 'prompt', text: recipe.negativePrompt })]));
  if (recipe.frames.length > 0) parts.push(section(l10n.t('Frames'), recipe.frames.map((frame) => frameView(frame, current.thumbnails))));
  if (recipe.elements.length > 0) parts.push(section(l10n.t('Elements'), recipe.elements.map((item, index) => elementView(item, index, current.thumbnails))));

  const settingsFacts: Array<[string, string]> = [
    [l10n.t('Duration'), l10n.t('{0} s', recipe.durationSeconds)],
    [l10n.t('Aspect ratio'), recipe.aspectRatio],
    [l10n.t('Quality'), recipe.quality],
    [l10n.t('Sound'), recipe.sound === 'on' ? l10n.t('on (AAC: silent in VS Code)') : recipe.sound === 'off' ? l10n.t('off') : recipe.sound],
    [l10n.t('Model'), recipe.model],
  ];
  if (recipe.watermark !== undefined) settingsFacts.push([l10n.t('Watermark'), recipe.watermark ? l10n.t('on') : l10n.t('off')]);
  parts.push(section(l10n.t('Settings'), [facts(settingsFacts)]));

  const priceFacts: Array<[string, string, string?]> = [[l10n.t('Estimated'), l10n.t('{0} · {1} credits', recipe.price.usd, creditsText(recipe.price.credits)), l10n.t('{0} credits', recipe.price.credits)]];
  if (recipe.price.reportedCredits !== undefined) priceFacts.push([l10n.t('Reported'), l10n.t('{0} credits', creditsText(recipe.price.reportedCredits)), l10n.t('{0} credits', recipe.price.reportedCredits)]);
  if (recipe.simulated) priceFacts.push([l10n.t('Spent'), l10n.t('nothing (simulated)')]);
  parts.push(section(l10n.t('Price'), [facts(priceFacts)]));

  parts.push(...fileView(current));

  const taskFacts: Array<[string, string]> = [[l10n.t('Task'), recipe.taskId], [l10n.t('Created'), date(recipe.createdAt)]];
  if (recipe.completedAt) taskFacts.push([l10n.t('Finished'), date(recipe.completedAt)]);
  taskFacts.push([l10n.t('Saved'), date(recipe.savedAt)]);
  if (recipe.storyboard) {
    taskFacts.push([l10n.t('Storyboard'), `${recipe.storyboard.relativePath}${recipe.storyboard.video ? ` › ${recipe.storyboard.video}` : ''}`]);
  }
  parts.push(section(l10n.t('Task'), [facts(taskFacts, [l10n.t('Task')])]));
  return parts;
}

/** A frame: its thumbnail when its workspace file is still there, where it came from, and the link that was sent. */
function frameView(frame: RecipeFrame, thumbnails: Record<string, string>): HTMLElement {
  const id = frame.role === 'First frame' ? 'recipe-first-frame' : 'recipe-last-frame';
  const thumbnail = frame.source ? thumbnails[frame.source] : undefined;
  const children: HTMLElement[] = [];
  if (thumbnail) children.push(element('img', { class: 'thumb', id: `${id}-thumb`, src: thumbnail, alt: `${frame.role}: ${frame.source ?? ''}` }));
  children.push(
    element('div', { class: 'frame-text' }, [
      element('div', { class: 'frame-role', text: frame.role }),
      element('div', { class: 'frame-source', text: frame.source ?? frame.url, title: frame.url }),
      ...(frame.source ? [element('div', { class: 'muted', text: l10n.t('uploaded from the workspace') })] : []),
    ]),
  );
  return element('div', { class: 'frame-card', id }, children);
}

/** An element: the thumbnail of its front view when that workspace file is still there, its token, name and description. */
function elementView(item: RecipeElement, index: number, thumbnails: Record<string, string>): HTMLElement {
  const id = `recipe-element-${index}`;
  const thumbnail = item.frontalImage ? thumbnails[item.frontalImage] : undefined;
  return element('div', { class: 'element-card', id }, [
    ...(thumbnail ? [element('img', { class: 'thumb', id: `${id}-thumb`, src: thumbnail, alt: `${item.name ?? item.elementId}: ${item.frontalImage ?? ''}` })] : []),
    element('div', { class: 'element-text' }, [
      element('code', { text: item.token }),
      element('span', { class: 'element-name', text: ` ${item.name ?? item.elementId}` }),
      ...(item.description ? [element('div', { class: 'muted', text: item.description })] : []),
    ]),
  ]);
}

function unknownRecipeView(current: PreviewState): HTMLElement[] {
  return [
    element('header', { class: 'recipe-header' }, [element('h1', { text: current.fileName })]),
    ...takesView(current),
    element('p', { class: 'note recipe-note', text: current.recipeNote ?? l10n.t('The recipe of this video is unknown.') }),
    ...fileView(current),
  ];
}

/** The file as a web page uses it: its size and frame, and the `<video>` element that Copy HTML puts on the clipboard. */
function fileView(current: PreviewState): HTMLElement[] {
  const file = current.file;
  if (!file) return [];
  const rows: Array<[string, string]> = [[l10n.t('Size'), l10n.t('{0} ({1} bytes)', formatBytes(file.bytes), file.bytes.toLocaleString('en-US'))]];
  if (file.width > 0 && file.height > 0) rows.push([l10n.t('Frame'), `${file.width}×${file.height}`]);
  const copy = element('button', { id: 'action-copyHtml', class: 'secondary', text: l10n.t('Copy HTML'), title: l10n.t('Copy this <video> element for a web page') });
  copy.addEventListener('click', () => act('copyHtml'));
  return [
    section(l10n.t('File'), [
      facts(rows),
      element('pre', { class: 'snippet', id: 'video-html' }, [element('code', { text: file.html })]),
      element('div', { class: 'snippet-actions' }, [copy]),
    ]),
  ];
}

function actionsView(current: PreviewState): HTMLElement {
  const bar = element('div', { class: 'actions', role: 'toolbar', 'aria-label': l10n.t('Video actions') });
  const add = (action: PreviewAction, label: string, kind: 'primary' | 'secondary', title?: string) => {
    const button = element('button', { id: `action-${action}`, class: kind, text: label, ...(title ? { title } : {}) });
    button.addEventListener('click', () => act(action));
    bar.append(button);
  };
  const regenerate = current.actions.regenerate;
  if (regenerate) {
    add('regenerate', regenerate.price ? l10n.t('Regenerate · {0}', regenerate.price) : l10n.t('Regenerate…'), 'primary', l10n.t('The same request again: the price is confirmed before anything is spent'));
  }
  if (current.actions.editInComposer) add('editInComposer', l10n.t('Edit in Composer'), 'secondary');
  if (current.actions.openStoryboard) add('openStoryboard', l10n.t('Open Storyboard'), 'secondary', l10n.t('Open the storyboard at this video'));
  add('reveal', l10n.t('Reveal in Explorer'), 'secondary');
  // Once: a video with AAC sound has it in the sound note, beside the reason to use it.
  if (!current.aacAudio) add('openExternal', l10n.t('Open in System Player'), 'secondary');
  return bar;
}

/** Frames out of the video, decoded here (the host only writes files): the one on screen, or the last one. */
function frameActionsView(): HTMLElement {
  const button = (purpose: FramePurpose, label: string, title: string) => {
    const b = element('button', { id: `frame-${purpose}`, class: 'secondary', text: label, title });
    b.addEventListener('click', () => void sendFrame(purpose));
    return b;
  };
  return element('div', { class: 'frame-actions', role: 'toolbar', 'aria-label': l10n.t('Frames') }, [
    button('save', l10n.t('Save Frame…'), l10n.t("Save the frame on screen as a PNG or JPEG at the video's own size")),
    button('first', l10n.t('Use as First Frame'), l10n.t("The frame on screen becomes the first frame of the composer's draft, or of the storyboard video at the cursor (saved beside the video)")),
    button('last', l10n.t('Use as Last Frame'), l10n.t("The frame on screen becomes the last frame of the composer's draft, or of the storyboard video at the cursor (saved beside the video)")),
    button('continue', l10n.t('Continue from Last Frame'), l10n.t('A new video in the composer that starts where this one ends: you see its price before anything is spent')),
  ]);
}

/** Decodes the frame and hands it to the host; Continue from Last Frame takes the last frame, the others the one on screen. */
async function sendFrame(purpose: FramePurpose): Promise<void> {
  try {
    video.pause();
    if (purpose === 'continue') await seekTo(video.duration);
    const frame = await grabFrame();
    post({ type: 'preview/frame', purpose, timeSeconds: video.currentTime, ...frame });
  } catch (error) {
    post({ type: 'preview/frameFailed', purpose, detail: (error instanceof Error ? error.message : String(error)).slice(0, 500) });
  }
}

/** Seeks and waits until the frame there is ready to draw. */
function seekTo(seconds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!Number.isFinite(seconds)) return reject(new Error('the video has no known duration yet'));
    if (Math.abs(video.currentTime - seconds) < 1e-3 && video.readyState >= 2) return resolve();
    video.addEventListener('seeked', () => resolve(), { once: true });
    video.addEventListener('error', () => reject(new Error('the video could not seek')), { once: true });
    video.currentTime = seconds;
  });
}

/**
 * The frame on screen at the video's own size, drawn on a canvas. The video is a webview resource of this page, so
 * the canvas is not tainted and its pixels can be read; no ffmpeg, nothing leaves the machine.
 */
async function grabFrame(): Promise<{ width: number; height: number; png: string; jpeg: string }> {
  const width = video.videoWidth;
  const height = video.videoHeight;
  if (!width || !height || video.readyState < 2) throw new Error('no frame is decoded yet: wait until the video shows');
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this page cannot draw on a canvas');
  context.drawImage(video, 0, 0, width, height);
  return { width, height, png: await encode(canvas, 'image/png'), jpeg: await encode(canvas, 'image/jpeg') };
}

function encode(canvas: HTMLCanvasElement, type: 'image/png' | 'image/jpeg'): Promise<string> {
  return new Promise((resolve, reject) => {
    // toBlob throws a SecurityError on a tainted canvas: said to the user as it is.
    canvas.toBlob(
      (blob) => {
        if (!blob) return reject(new Error(`the frame could not be encoded as ${type}`));
        const reader = new FileReader();
        reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
        reader.onerror = () => reject(new Error('the frame could not be read back'));
        reader.readAsDataURL(blob);
      },
      type,
      0.92,
    );
  });
}

/** "Take 2 of 3" with Previous and Next, Use This Take and Compare Takes, for a video with more than one take. */
function takesView(current: PreviewState): HTMLElement[] {
  const take = current.take;
  if (!take) return [];
  const button = (action: PreviewAction, label: string, title: string, disabled = false) => {
    const b = element('button', { id: `action-${action}`, class: 'secondary', text: label, title, 'aria-label': title });
    b.disabled = disabled;
    b.addEventListener('click', () => act(action));
    return b;
  };
  const bar = element('div', { class: 'takes-bar', role: 'group', 'aria-label': l10n.t('Takes') }, [
    button('previousTake', '‹', l10n.t('Previous take'), take.index <= 1),
    element('span', { id: 'take-position', class: 'take-position', text: l10n.t('Take {0} of {1}', take.index, take.count) }),
    button('nextTake', '›', l10n.t('Next take'), take.index >= take.count),
  ]);
  if (take.inUse) bar.append(element('span', { class: 'badge', text: l10n.t('In use'), title: l10n.t("This take is the video at the storyboard's path") }));
  else bar.append(button('useTake', l10n.t('Use This Take'), l10n.t('Make this take the video: the one in use stays a take')));
  bar.append(button('compareTakes', l10n.t('Compare Takes'), l10n.t('All takes side by side')));
  return [bar];
}

function shotsView(shots: readonly RecipeShot[]): HTMLElement {
  const list = element('ol', { class: 'shots' });
  shotItems = shots.map((shot) => {
    const button = element('button', {
      class: 'shot',
      'aria-label': l10n.t('Shot {0}, {1} to {2}: {3}. Play from its start.', shot.index, formatTime(shot.startSeconds), formatTime(shot.endSeconds), shot.prompt),
    }, [element('span', { class: 'shot-time', text: formatRange(shot) }), element('span', { class: 'shot-prompt', text: shot.prompt })]);
    button.dataset.start = String(shot.startSeconds);
    button.addEventListener('click', () => seek(shot.startSeconds));
    const item = element('li', {}, [button]);
    list.append(item);
    return item;
  });
  return list;
}

function seek(seconds: number): void {
  video.currentTime = seconds;
  if (video.paused) void video.play().catch(() => undefined);
  markCurrentShot();
}

function markCurrentShot(): void {
  const shots = state?.recipe?.shots ?? [];
  const current = shotAt(shots, video.currentTime);
  shotItems.forEach((item, i) => {
    item.classList.toggle('current', i === current);
    if (i === current) item.setAttribute('aria-current', 'true');
    else item.removeAttribute('aria-current');
  });
}

function act(action: PreviewAction): void {
  post({ type: 'preview/action', action });
}

function section(title: string, children: HTMLElement[], hint?: string): HTMLElement {
  const heading = element('h2', { text: title });
  return element('section', { class: 'recipe-section', ...(hint ? { title: hint } : {}) }, [heading, ...children]);
}

function facts(rows: Array<[string, string, string?]>, code: string[] = []): HTMLElement {
  const list = element('dl', { class: 'facts' });
  for (const [term, value, exact] of rows) {
    const detail = code.includes(term) ? element('dd', {}, [element('code', { text: value })]) : element('dd', { text: value, ...(exact ? { title: exact } : {}) });
    list.append(element('dt', { text: term }), detail);
  }
  return list;
}

function date(iso: string): string {
  const value = new Date(iso);
  return Number.isNaN(value.getTime()) ? iso : value.toLocaleString();
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An element with text set as text (never parsed as HTML: prompts are the user's words). */
function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> & { text?: string } = {},
  children: HTMLElement[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
}

function readSettings(): PreviewSettings {
  const data = document.getElementById('settings')?.getAttribute('data-settings');
  if (!data) throw new Error('the page has no settings');
  return PreviewSettings.parse(JSON.parse(data));
}

/**
 * Scales the video to the stage, small ones up too (a 64 px clip shown at 64 px says little): the page knows the
 * video's aspect only once its metadata is in, and tells the stylesheet (CSSOM: the CSP allows no style attribute).
 */
function fitToStage(): void {
  if (video.videoWidth > 0 && video.videoHeight > 0) video.style.setProperty('--video-aspect', String(video.videoWidth / video.videoHeight));
}

/** Credits as a person reads them, two places (the core's formatCredits); the exact amount is the fact's tooltip. */
function creditsText(exact: string | number): string {
  try {
    return formatCredits(parseAmount(String(exact)));
  } catch {
    return String(exact);
  }
}
