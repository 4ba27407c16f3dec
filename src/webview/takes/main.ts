// The Compare Takes page: two to four takes of one video side by side, one transport for all of them (play, pause,
// seek, frame step, speed, loop: see syncedPlayback.ts), each take's recipe beside it with the fields that differ
// marked, and "Use This Take" on each. Everything beyond playback is a message to the host.
// First: the translation is set before any module builds a string.
import '../l10n/pageL10n';
import * as l10n from '@vscode/l10n';
import './takes.css';
import type { RecipeRow } from '../../core/takes/takeComparison';
import { PLAYBACK_RATES } from '../preview/timeline';
import { parseCompareHostMessage, type CompareMessage, type CompareState, type CompareTake } from './protocol';
import { formatClock, SyncedPlayback } from './syncedPlayback';

declare function acquireVsCodeApi(): { postMessage(message: CompareMessage): void };

const vscode = acquireVsCodeApi();
const post = (message: CompareMessage) => vscode.postMessage(message);

/** Kling's videos are 24 frames a second (the simulator's are too): one step of the frame buttons. */
const FRAME_SECONDS = 1 / 24;

const grid = byId('grid');
const title = byId('title');
const count = byId('count');
const playButton = byId<HTMLButtonElement>('play');
const scrubber = byId<HTMLInputElement>('scrubber');
const clock = byId('time');
const loopBox = byId<HTMLInputElement>('loop');
const rateSelect = byId<HTMLSelectElement>('rate');

let playback: SyncedPlayback | undefined;
/** The takes shown now, by id, so a new state that shows the same takes keeps the videos (and their time). */
let shown = '';
let scrubbing = false;

for (const rate of PLAYBACK_RATES) {
  const option = element('option', { text: `${rate}×` });
  option.value = String(rate);
  rateSelect.append(option);
}
rateSelect.value = '1';
playButton.addEventListener('click', () => void playback?.toggle());
byId('frame-back').addEventListener('click', () => void playback?.step(-1));
byId('frame-forward').addEventListener('click', () => void playback?.step(1));
loopBox.addEventListener('change', () => playback?.setLoop(loopBox.checked));
rateSelect.addEventListener('change', () => playback?.setSpeed(Number(rateSelect.value)));
// While the thumb is dragged the videos follow at once; the seek that counts is the one on release.
scrubber.addEventListener('input', () => {
  scrubbing = true;
  void playback?.seek(Number(scrubber.value)).then(() => (scrubbing = false));
});
document.addEventListener('keydown', (event) => {
  if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
  if (event.key === ' ' || event.key === 'k') void playback?.toggle();
  else if (event.key === ',' || event.key === 'ArrowLeft') void playback?.step(-1);
  else if (event.key === '.' || event.key === 'ArrowRight') void playback?.step(1);
  else return;
  event.preventDefault();
});

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parseCompareHostMessage(event.data);
  if (!parsed.ok) {
    console.warn(`Compare Takes: ignored a message from the host, ${parsed.reason}`);
    return;
  }
  const message = parsed.message;
  switch (message.type) {
    case 'compare/state':
      show(message);
      break;
    case 'compare/busy':
      document.body.classList.toggle('busy', message.take !== undefined);
      break;
  }
});
post({ type: 'compare/ready' });

function show(state: CompareState): void {
  title.textContent = `Compare takes · ${state.videoName}`;
  count.textContent = state.takeCount > state.takes.length ? `${state.takes.length} of ${state.takeCount} takes` : `${state.takeCount} takes`;
  const key = state.takes.map((t) => `${t.id}@${t.src}`).join('|');
  if (key !== shown) {
    shown = key;
    buildColumns(state);
  }
  // What can change without new videos: which take is chosen, the recipes.
  state.takes.forEach((take, i) => updateColumn(i, take, state));
}

function buildColumns(state: CompareState): void {
  const wasAt = playback?.time ?? 0;
  void playback?.pause();
  grid.replaceChildren();
  grid.className = `grid columns-${Math.min(4, Math.max(1, state.takes.length))}`;
  const videos = state.takes.map((take) => {
    const video = element('video', { class: 'take-video', preload: 'auto', playsinline: '', 'aria-label': take.title });
    video.muted = true; // several at once, and VS Code's player plays no AAC anyway
    video.dataset.take = take.id;
    video.addEventListener('error', () => {
      video.closest('.take')?.classList.add('failed');
      post({ type: 'compare/loadFailed', take: take.id, detail: `${video.error?.code ?? '?'}: ${video.error?.message || 'no reason given'}`.slice(0, 500) });
    });
    video.src = take.src;
    const column = element('section', { class: 'take', 'aria-label': take.title }, [
      element('header', { class: 'take-header' }, [element('h2', { text: take.title }), element('span', { class: 'badge chosen-badge', text: l10n.t('In use') })]),
      element('div', { class: 'frame' }, [video, element('p', { class: 'load-error', text: l10n.t('This take cannot be played here.') })]),
      actions(take),
      element('dl', { class: 'recipe' }),
    ]);
    column.dataset.take = take.id;
    grid.append(column);
    return video;
  });
  document.body.classList.add('loading');
  playback = new SyncedPlayback(videos, { frameSeconds: FRAME_SECONDS, onChange: showTransport, schedule: (tick) => requestAnimationFrame(tick) });
  playback.setLoop(loopBox.checked);
  playback.setSpeed(Number(rateSelect.value));
  // The transport starts once every take can show a frame (a seek before that would wait on nothing).
  void Promise.all(videos.map((v) => (v.readyState >= 2 ? undefined : new Promise((resolve) => {
    v.addEventListener('loadeddata', resolve, { once: true });
    v.addEventListener('error', resolve, { once: true });
  })))).then(async () => {
    document.body.classList.remove('loading');
    document.body.classList.add('ready');
    if (wasAt > 0) await playback?.seek(wasAt);
    showTransport();
  });
}

function actions(take: CompareTake): HTMLElement {
  const use = element('button', { class: 'primary use', text: l10n.t('Use This Take'), title: l10n.t('Make {0} the video: the one in use now stays a take', take.title) });
  use.addEventListener('click', () => post({ type: 'compare/use', take: take.id }));
  const open = element('button', { class: 'secondary open', text: l10n.t('Open'), title: l10n.t('Open this take in Kling Preview') });
  open.addEventListener('click', () => post({ type: 'compare/open', take: take.id }));
  const remove = element('button', { class: 'secondary delete', text: l10n.t('Delete…'), title: l10n.t('Move this take to the trash (you are asked first)') });
  remove.addEventListener('click', () => post({ type: 'compare/delete', take: take.id }));
  return element('div', { class: 'take-actions', role: 'toolbar', 'aria-label': l10n.t('{0} actions', take.title) }, [use, open, remove]);
}

function updateColumn(index: number, take: CompareTake, state: CompareState): void {
  const column = grid.children[index] as HTMLElement | undefined;
  if (!column) return;
  column.classList.toggle('chosen', take.chosen);
  const use = column.querySelector<HTMLButtonElement>('button.use')!;
  use.disabled = take.chosen;
  use.textContent = take.chosen ? l10n.t('In Use') : l10n.t('Use This Take');
  column.querySelector<HTMLButtonElement>('button.delete')!.disabled = take.chosen;
  const recipe = column.querySelector('dl.recipe')!;
  recipe.replaceChildren(...(take.note ? [element('dd', { class: 'note', text: take.note })] : rowsOf(state.rows, index)));
}

function rowsOf(rows: readonly RecipeRow[], index: number): HTMLElement[] {
  return rows.flatMap((row) => {
    const value = row.values[index] ?? '—';
    const term = element('dt', { class: row.differs ? 'differs' : '', text: row.label });
    const detail = element('dd', { class: row.differs ? 'differs' : '', text: row.label === 'Created' ? date(value) : value });
    if (row.differs) detail.title = l10n.t('Not the same in every take');
    return [term, detail];
  });
}

function showTransport(): void {
  if (!playback) return;
  const duration = playback.duration;
  scrubber.max = String(duration || 0);
  scrubber.step = 'any';
  if (!scrubbing) scrubber.value = String(playback.time);
  clock.textContent = `${formatClock(playback.time)} / ${formatClock(duration)}`;
  playButton.textContent = playback.isPlaying ? l10n.t('Pause') : l10n.t('Play');
  playButton.setAttribute('aria-label', playback.isPlaying ? l10n.t('Pause all takes') : l10n.t('Play all takes'));
  document.body.dataset.playing = String(playback.isPlaying);
}

function date(iso: string): string {
  const value = new Date(iso);
  return Number.isNaN(value.getTime()) ? iso : value.toLocaleString();
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
    else if (value !== '' || name === 'playsinline') node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
}
