// The Play Storyboard page: a storyboard's chosen takes in file order as one cut. Two video elements take turns: the
// one playing and the next video, loaded in advance, shown the moment the first ends (as gapless as a page allows).
// A video not rendered yet is a titled card that lasts as long as the video will. One scrubber spans the whole cut,
// with a mark per video and per shot; the list beside it jumps to any of them.
// First: the translation is set before any module builds a string.
import '../l10n/pageL10n';
import * as l10n from '@vscode/l10n';
import './player.css';
import { itemAt } from '../../core/player/storyboardTimeline';
import { formatTime } from '../preview/timeline';
import { formatClock } from '../takes/syncedPlayback';
import { parsePlayerHostMessage, type PlayerItem, type PlayerMessage, type PlayerState } from './protocol';

declare function acquireVsCodeApi(): { postMessage(message: PlayerMessage): void };

const vscode = acquireVsCodeApi();
const post = (message: PlayerMessage) => vscode.postMessage(message);

const body = document.body;
const slots = [byId<HTMLVideoElement>('video-a'), byId<HTMLVideoElement>('video-b')];
const gapTitle = byId('gap-title');
const gapText = byId('gap-text');
const playButton = byId<HTMLButtonElement>('play');
const scrubber = byId<HTMLInputElement>('scrubber');
const marks = byId('marks');
const clock = byId('time');
const nowPlaying = byId('now');
const list = byId('chapters');
const problem = byId('problem');

let state: PlayerState | undefined;
let items: PlayerItem[] = [];
let total = 0;
let current = 0;
let playing = false;
/** The slot showing the current video; the other holds the next one. */
let active = 0;
/** Where the gap being shown started, on the clock, and at which second of it. */
let gapStartedAt = 0;
let gapOffset = 0;
let ticking = false;
let listItems: HTMLElement[] = [];

for (const video of slots) {
  video.addEventListener('ended', () => video === slots[active] && playing && advance());
  video.addEventListener('error', () => {
    const name = video.dataset.name;
    if (name && video.getAttribute('src')) post({ type: 'player/loadFailed', video: name, detail: `${video.error?.code ?? '?'}: ${video.error?.message || 'no reason given'}`.slice(0, 500) });
  });
  video.addEventListener('timeupdate', showTime);
}
playButton.addEventListener('click', () => (playing ? pause() : play()));
byId('previous').addEventListener('click', () => jumpVideo(-1));
byId('next').addEventListener('click', () => jumpVideo(1));
scrubber.addEventListener('input', () => seek(Number(scrubber.value)));
byId('gap-render').addEventListener('click', () => items[current] && post({ type: 'player/render', video: items[current]!.name }));
document.addEventListener('keydown', (event) => {
  if (event.target instanceof HTMLInputElement) return;
  if (event.key === ' ' || event.key === 'k') playing ? pause() : play();
  else return;
  event.preventDefault();
});

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parsePlayerHostMessage(event.data);
  if (!parsed.ok) {
    console.warn(`Play Storyboard: ignored a message from the host, ${parsed.reason}`);
    return;
  }
  switch (parsed.message.type) {
    case 'player/state':
      show(parsed.message);
      break;
  }
});
post({ type: 'player/ready' });

function show(next: PlayerState): void {
  const before = state;
  state = next;
  byId('title').textContent = l10n.t('Play storyboard · {0}', next.title);
  problem.textContent = next.problem ?? '';
  body.classList.toggle('has-problem', next.problem !== undefined);
  const same = before !== undefined && JSON.stringify(before.items) === JSON.stringify(next.items);
  if (same) return;
  const at = time();
  items = next.items;
  total = next.total;
  buildMarks(next);
  buildList(next);
  scrubber.max = String(total);
  for (const video of slots) {
    video.removeAttribute('src');
    delete video.dataset.name;
    video.load();
  }
  // A new cut (a video rendered, a take used) goes on from where the old one was.
  const resume = itemAt({ items, total }, before ? at : 0);
  if (resume) enter(resume.item, resume.offset);
  showTime();
}

function play(): void {
  if (!items.length) return;
  if (time() >= total - 0.01) enter(0, 0);
  playing = true;
  const item = items[current]!;
  if (item.kind === 'video') void slots[active]!.play().catch(() => undefined);
  else gapStartedAt = performance.now();
  startTicking();
  showTime();
}

function pause(): void {
  if (items[current]?.kind === 'gap') gapOffset = gapElapsed();
  playing = false;
  for (const video of slots) video.pause();
  showTime();
}

/** Jumps to `seconds` on the whole cut. */
function seek(seconds: number): void {
  const at = itemAt({ items, total }, seconds);
  if (!at) return;
  enter(at.item, at.offset);
  showTime();
}

function jumpVideo(by: -1 | 1): void {
  const target = by < 0 && time() - (items[current]?.start ?? 0) > 1 ? current : current + by;
  if (target >= 0 && target < items.length) enter(target, 0);
  showTime();
}

/** Makes item `index` the one playing, from `offset` seconds into it. */
function enter(index: number, offset: number): void {
  current = index;
  const item = items[index]!;
  body.dataset.item = item.name;
  body.dataset.kind = item.kind;
  listItems.forEach((li, i) => li.classList.toggle('current', i === index));
  nowPlaying.textContent = item.kind === 'gap' ? l10n.t('{0} (not rendered yet)', item.name) : item.outdated ? l10n.t('{0} (an older recipe)', item.name) : item.name;
  if (item.kind === 'gap') {
    for (const video of slots) video.pause();
    gapTitle.textContent = item.name;
    gapText.textContent = l10n.t('Not rendered yet · {0} of the cut', formatTime(item.end - item.start));
    gapOffset = offset;
    gapStartedAt = performance.now();
    body.classList.add('in-gap');
  } else {
    body.classList.remove('in-gap');
    // The next video may be waiting in the other slot already: swap instead of loading again.
    if (slots[active]!.dataset.name !== item.name && slots[1 - active]!.dataset.name === item.name) active = 1 - active;
    const video = slots[active]!;
    slots[1 - active]!.pause();
    if (video.dataset.name !== item.name) load(video, item);
    setTime(video, offset);
    slots.forEach((v, i) => v.classList.toggle('active', i === active));
    if (playing) void video.play().catch(() => undefined);
  }
  preloadAfter(index);
  if (playing) startTicking();
}

function load(video: HTMLVideoElement, item: PlayerItem): void {
  video.dataset.name = item.name;
  video.src = item.src!;
  video.load();
}

/** Sets a video's time, once it knows its length if it does not yet. */
function setTime(video: HTMLVideoElement, seconds: number): void {
  if (video.readyState >= 1) video.currentTime = seconds;
  else video.addEventListener('loadedmetadata', () => (video.currentTime = seconds), { once: true });
}

/** Loads the next video after `index` into the slot not playing, so it starts the moment it is needed. */
function preloadAfter(index: number): void {
  const next = items.slice(index + 1).find((item) => item.kind === 'video');
  const spare = slots[1 - active]!;
  if (!next || spare.dataset.name === next.name) return;
  load(spare, next);
  setTime(spare, 0);
}

function advance(): void {
  if (current + 1 >= items.length) {
    // The end of the cut: it stops on its last frame.
    playing = false;
    if (items[current]?.kind === 'gap') gapOffset = items[current]!.end - items[current]!.start;
    showTime();
    return;
  }
  enter(current + 1, 0);
}

function gapElapsed(): number {
  const item = items[current];
  if (!item || item.kind !== 'gap') return 0;
  return Math.min(item.end - item.start, gapOffset + (playing ? (performance.now() - gapStartedAt) / 1000 : 0));
}

/** Where the cut is now, in seconds from its start. */
function time(): number {
  const item = items[current];
  if (!item) return 0;
  if (item.kind === 'gap') return item.start + gapElapsed();
  const video = slots[active]!;
  return item.start + (video.dataset.name === item.name ? Math.min(video.currentTime, item.end - item.start) : 0);
}

function startTicking(): void {
  if (ticking) return;
  ticking = true;
  const tick = () => {
    if (!playing) {
      ticking = false;
      return;
    }
    const item = items[current];
    if (item?.kind === 'gap' && gapElapsed() >= item.end - item.start) advance();
    showTime();
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function showTime(): void {
  const now = time();
  if (document.activeElement !== scrubber) scrubber.value = String(now);
  clock.textContent = `${formatClock(now)} / ${formatClock(total)}`;
  playButton.textContent = playing ? l10n.t('Pause') : l10n.t('Play');
  playButton.setAttribute('aria-label', playing ? l10n.t('Pause the storyboard') : l10n.t('Play the storyboard'));
  body.dataset.playing = String(playing);
  body.dataset.time = now.toFixed(3);
}

function buildMarks(next: PlayerState): void {
  marks.replaceChildren(
    ...next.items.map((item) => {
      const span = element('span', { class: `segment is-${item.kind}`, title: item.kind === 'gap' ? l10n.t('{0} (not rendered yet)', item.name) : item.name });
      // Positions through the CSSOM: the CSP forbids style attributes, not this.
      span.style.left = `${(100 * item.start) / (next.total || 1)}%`;
      span.style.width = `${(100 * (item.end - item.start)) / (next.total || 1)}%`;
      return span;
    }),
    ...next.chapters.map((chapter) => {
      const tick = element('span', { class: `mark mark-${chapter.kind}`, title: chapter.label });
      tick.style.left = `${(100 * chapter.time) / (next.total || 1)}%`;
      return tick;
    }),
  );
}

function buildList(next: PlayerState): void {
  listItems = next.items.map((item) => {
    const jump = element('button', { class: 'chapter', 'aria-label': item.kind === 'gap' ? l10n.t('{0}, not rendered yet, from {1}', item.name, formatTime(item.start)) : l10n.t('{0}, from {1}', item.name, formatTime(item.start)) }, [
      element('span', { class: 'chapter-time', text: formatTime(item.start) }),
      element('span', { class: 'chapter-name', text: item.name }),
      element('span', { class: 'chapter-note', text: item.kind === 'gap' ? l10n.t('not rendered yet') : item.outdated ? l10n.t('older recipe') : `${formatTime(item.end - item.start)}` }),
    ]);
    jump.addEventListener('click', () => {
      enter(item.index, 0);
      showTime();
    });
    const shots = item.shots.length > 1
      ? [element('ol', { class: 'shots' }, item.shots.map((shot) => {
          const button = element('button', { class: 'shot', title: shot.prompt }, [
            element('span', { class: 'chapter-time', text: formatTime(item.start + shot.start) }),
            element('span', { class: 'shot-prompt', text: l10n.t('Shot {0}: {1}', shot.index, shot.prompt) }),
          ]);
          button.addEventListener('click', () => {
            enter(item.index, shot.start);
            showTime();
          });
          return element('li', {}, [button]);
        }))]
      : [];
    const li = element('li', { class: `item-${item.kind}` }, [jump, ...shots]);
    li.dataset.name = item.name;
    return li;
  });
  list.replaceChildren(...listItems);
}

/** An element with text set as text (never parsed as HTML: names and prompts are the user's words). */
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
