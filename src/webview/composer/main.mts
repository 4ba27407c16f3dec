// The composer page: the form, its live price, and the messages to and from the host. The draft is the page's own
// (getState/setState keep it through hiding and reloads); whether it is valid, what it costs and the edits its buttons
// make come from src/core/composer, the same code the host checks it with. See ../../core/composer/composerProtocol.ts.
// First: the translation is set before any module builds a string.
import '../l10n/pageL10n.js';
import * as l10n from '@vscode/l10n';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { render } from 'lit';
import {
  addElement,
  addShot,
  checkDraft,
  draftLocalImages,
  elementToken,
  insertToken,
  moveElement,
  newElement,
  removeElement,
  setImage,
  updateElement,
  durationFromShots,
  emptyDraft,
  moveShot,
  removeShot,
  setDurationToShots,
  setMultiShot,
  updateShot,
  type ComposerDraft,
  type DraftCheck,
  type DraftContext,
  type FieldKey,
  type ImageSlot,
} from '../../core/composer/composerForm.js';
import {
  balanceShortText,
  balanceText,
  exceedsBalance,
  generateBlocker,
  markTouched,
  priceText,
  restorePageState,
  visibleProblems,
  type PageState,
} from '../../core/composer/composerPageState.js';
import { HostMessage, type ElementInfo, type ImageInfo, type ImageTarget, type PageMessage } from '../../core/composer/composerProtocol.js';
import { fileNameFromPrompt } from '../../core/composer/fileNameFromPrompt.js';
import { composerView, type Actions, type HostContext, type ViewModel } from './composerView.mjs';
import './composer.css';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('composer')!;
const isMac = /Mac|iPhone|iPad/.test(navigator.platform);
/** The side bar's view, or the editor tab of "Open Composer in Editor" (composerHtml.ts sets it). */
const surface = document.body.dataset['surface'] === 'editor' ? 'editor' : 'view';

let state: PageState = restorePageState(vscode.getState());
/** What the host found about the images and elements (not kept: asked again after a reload). */
let images: Record<string, ImageInfo> = {};
let elementInfos: ElementInfo[] = [];
let imageMessages: Partial<Record<ImageTarget, string>> = {};
/** Describe requests sent and answered: element facts are by position, so only the latest answer's are used. */
let describeAsked = 0;
let describeAnswered = 0;
let describedKey = '';
let check: DraftCheck = checkDraft(state.draft, draftContext());
let host: HostContext = { known: false, backend: 'api', ready: false, trusted: true, balance: { kind: 'unknown' }, elsewhere: false };
let busy: ViewModel['busy'] = 'idle';
let status: ViewModel['status'];

function post(message: PageMessage): void {
  vscode.postMessage(message);
}

/** Every change goes through here: new state, saved at once (a reload loses nothing), then one render. */
function update(change: (current: PageState) => PageState): void {
  const next = change(state);
  const changed = next.draft !== state.draft;
  state = next;
  if (changed) {
    check = checkDraft(state.draft, draftContext());
    describeIfChanged();
  }
  vscode.setState(state);
  shareState();
  paint();
}

/**
 * The host keeps the latest state to hand the draft over between the side bar and the editor tab. Sent on every
 * change, not batched: a tab closed right after a keystroke must not lose it (the state is a few KB of text).
 */
function shareState(): void {
  post({ type: 'composer/state', state });
}

/** The draft handed over from the other place: the form becomes it, as if it had been typed here. */
function adopt(saved: unknown): void {
  state = restorePageState(saved);
  check = checkDraft(state.draft, draftContext());
  describeIfChanged();
  vscode.setState(state);
  paint();
}

/**
 * A message that has just appeared (the shot total, a field's rule) is scrolled into sight: the sticky footer must
 * not be what hides it (scroll-padding-bottom keeps scrolling clear of the footer's height).
 */
let shownProblems = new Set<string>();
function revealNewMessages(problems: Partial<Record<FieldKey, string>>): void {
  const now = new Set(Object.keys(problems));
  const added = [...now].filter((key) => !shownProblems.has(key));
  shownProblems = now;
  if (added.length === 0) return;
  requestAnimationFrame(() => revealMessage(added[0] as FieldKey));
}

/** Scrolls the field's message into sight between the top of the view and the top of the sticky footer. */
function revealMessage(key: FieldKey): void {
  const message = document.getElementById(messageId(key));
  const footer = root.querySelector('.footer');
  if (!message || !footer) return;
  const box = message.getBoundingClientRect();
  if (box.height === 0) return;
  // Measured rather than left to scroll-padding: the footer may have grown in the same render (its blocker line).
  const bottom = getComputedStyle(footer).position === 'sticky' ? footer.getBoundingClientRect().top : window.innerHeight;
  if (box.bottom > bottom - 4) window.scrollBy(0, box.bottom - bottom + 8);
  else if (box.top < 0) window.scrollBy(0, box.top - 8);
}

function messageId(key: FieldKey): string {
  const shot = /^shot\.(\d+)\.(prompt|duration)$/.exec(key);
  if (shot) return `shot-${shot[1]}-${shot[2]}-message`;
  const element = /^element\.(\d+)$/.exec(key);
  if (element) return `element-${element[1]}-message`;
  return `${key.replace(/_/g, '-')}-message`;
}

/** What the form's check needs from the host: image verdicts, which elements are new, what is wrong with one. */
function draftContext(): DraftContext {
  const current = elementInfos.length === state.draft.elements.length && describeAnswered === describeAsked;
  return {
    images,
    newElements: current ? elementInfos.map((info) => !info.created) : undefined,
    elementProblems: current ? elementInfos.map((info) => info.problem) : undefined,
  };
}

/** Asks the host about the images and elements whenever they change (and once at the start). */
function describeIfChanged(): void {
  const refs = draftLocalImages(state.draft);
  const key = JSON.stringify([refs, state.draft.elements]);
  if (key === describedKey) return;
  describedKey = key;
  if (refs.length === 0 && state.draft.elements.length === 0) {
    elementInfos = [];
    describeAnswered = describeAsked;
    return;
  }
  describeAsked++;
  post({ type: 'composer/describe', refs, elements: state.draft.elements });
}

function paint(): void {
  const problems = visibleProblems(check, state);
  const model: ViewModel = {
    state,
    check,
    problems,
    host,
    busy,
    status,
    price: priceText(check),
    images,
    elementInfos,
    imageMessages,
    balance: host.known ? balanceText(host.balance, host.backend, host.ready) : l10n.t('Balance: …'),
    balanceShort: host.known ? balanceShortText(host.balance, host.ready) : '…',
    surface,
    fileNamePlaceholder: fileNameFromPrompt(state.draft.prompt.trim() || state.draft.shots[0]?.prompt.trim() || ''),
    overBalance: host.known && host.ready && exceedsBalance(check, host.balance),
    blocker: generateBlocker(check),
    durationFromShots: durationFromShots(state.draft),
    isMac,
  };
  render(composerView(model, actions), root);
  revealNewMessages(problems);
}

const setDraft = (change: (draft: ComposerDraft) => ComposerDraft, touched?: FieldKey) =>
  update((s) => {
    const next = { ...s, draft: change(s.draft) };
    return touched ? markTouched(next, touched) : next;
  });

/** Focus after a render, on an element that may be new (an added shot's field): once its own render is done. */
function focusSoon(id: string): void {
  setTimeout(() => {
    const element = document.getElementById(id) as (HTMLElement & { updateComplete?: Promise<unknown> }) | null;
    void Promise.resolve(element?.updateComplete).then(() => element?.focus());
  }, 0);
}

const FOCUS_OF: Record<string, string> = {
  prompt: 'prompt',
  negative_prompt: 'negative-prompt',
  duration: 'duration',
  shots: 'add-shot',
  form: 'prompt',
  image: 'image-remove',
  end_image: 'end_image-remove',
  elements: 'new-element',
  callback_url: 'callback-url',
  file_name: 'file-name',
};

/** With problems left, Generate and Save show them all and take the user to the first. */
function blockedByProblems(): boolean {
  if (check.problemCount === 0) return false;
  update((s) => ({ ...s, showAll: true }));
  const first = Object.keys(check.problems)[0] as FieldKey;
  const shot = /^shot\.(\d)\.(prompt|duration)$/.exec(first);
  const element = /^element\.(\d)$/.exec(first);
  focusSoon(shot ? `shot-${shot[1]}-${shot[2]}` : element ? `element-${element[1]}-remove` : (FOCUS_OF[first] ?? 'prompt'));
  // The focus lands on the field; its message (below it) is brought into sight too, clear of the footer.
  setTimeout(() => requestAnimationFrame(() => revealMessage(first)), 50);
  return true;
}

const actions: Actions = {
  set: (field, value, touched) => setDraft((d) => ({ ...d, [field]: value }), touched),
  setMode: (mode) => {
    if (mode !== state.draft.multi_shot) setDraft((d) => setMultiShot(d, mode));
  },
  addShot: () => {
    setDraft(addShot, `shot.${state.draft.shots.length}.duration`);
    focusSoon(`shot-${state.draft.shots.length - 1}-prompt`);
  },
  removeShot: (index) => {
    setDraft((d) => removeShot(d, index), 'shots');
    focusSoon(state.draft.shots.length === 0 ? 'add-shot' : `shot-${Math.min(index, state.draft.shots.length - 1)}-prompt`);
  },
  moveShot: (index, by) => {
    setDraft((d) => moveShot(d, index, by), 'shots');
    const target = index + by;
    // Focus follows the shot; at an end, where its button is now disabled, the other arrow takes it.
    const atEnd = (by === -1 && target === 0) || (by === 1 && target === state.draft.shots.length - 1);
    focusSoon(`shot-${target}-${atEnd ? (by === -1 ? 'down' : 'up') : by === -1 ? 'up' : 'down'}`);
  },
  setShot: (index, change) => setDraft((d) => updateShot(d, index, change), `shot.${index}.${change.prompt !== undefined ? 'prompt' : 'duration'}`),
  setDurationToShots: () => {
    setDraft(setDurationToShots, 'duration');
    focusSoon('duration');
  },
  generate: () => {
    if (busy !== 'idle' || blockedByProblems()) return;
    busy = 'generating';
    status = { text: l10n.t('Creating the task…') };
    paint();
    post({ type: 'composer/generate', draft: state.draft });
  },
  save: () => {
    if (busy !== 'idle' || blockedByProblems()) return;
    busy = 'saving';
    status = undefined;
    paint();
    post({ type: 'composer/saveAsStoryboard', draft: state.draft, ...(state.source ? { source: state.source } : {}) });
  },
  clear: () => {
    status = { text: l10n.t('The form is cleared.') };
    update((s) => ({ ...s, previous: s.draft, draft: emptyDraft(), source: undefined, from: undefined, notes: [], touched: [], showAll: false }));
    focusSoon('prompt');
  },
  restorePrevious: () => {
    if (!state.previous) return;
    status = { text: l10n.t('The previous draft is back.') };
    update((s) => ({ ...s, draft: s.previous!, previous: undefined, source: undefined, from: undefined, notes: [] }));
    focusSoon('prompt');
  },
  dismissNotice: () => {
    update((s) => ({ ...s, previous: undefined, notes: [], source: undefined, from: undefined }));
    focusSoon('prompt');
  },
  setUp: (action) => post({ type: 'composer/setUp', action }),
  openInEditor: () => post({ type: 'composer/openInEditor' }),
  showTasks: () => post({ type: 'composer/showTasks' }),
  refreshBalance: () => post({ type: 'composer/refreshBalance' }),
  chooseImage: (target) => {
    clearImageMessage(target);
    post({ type: 'composer/chooseImage', target });
  },
  dropUris: (target, uris) => {
    clearImageMessage(target);
    post({ type: 'composer/dropImage', target, uris });
  },
  dropFile: (target, file) => {
    clearImageMessage(target);
    if (file.size > 10 * 1024 * 1024) {
      imageMessages = { ...imageMessages, [target]: `${file.name} is larger than 10 MB, the limit for an image. It was not used.` };
      paint();
      return;
    }
    void file.arrayBuffer().then((buffer) => post({ type: 'composer/dropImageFile', target, name: file.name || 'image.png', base64: toBase64(new Uint8Array(buffer)) }));
  },
  setImage: (slot, ref) => {
    clearImageMessage(slot);
    setDraft((d) => setImage(d, slot, ref), slot);
    if (ref === undefined) focusSoon(`${slot}-choose`);
  },
  setImageUrl: (slot, text) => {
    const link = text.trim();
    if (link === '') return;
    let problem: string | undefined;
    try {
      const url = new URL(link);
      if (url.protocol !== 'https:') problem = l10n.t('A link to an image starts with https:// (this one is {0}). A file is chosen with Choose File… or dropped here.', url.protocol.replace(':', ''));
    } catch {
      problem = l10n.t('That is not a link: paste an https:// address of a JPEG or PNG image, or choose a file.');
    }
    if (problem) {
      imageMessages = { ...imageMessages, [slot]: problem };
      paint();
      return;
    }
    actions.setImage(slot, link);
  },
  addElementsFromStoryboards: () => post({ type: 'composer/addElements' }),
  newElement: () => {
    const index = state.draft.elements.length;
    setDraft((d) => addElement(d, newElement()), `element.${index}`);
    focusSoon(`element-${index}-name`);
  },
  removeElement: (index) => {
    setDraft((d) => removeElement(d, index), 'elements');
    focusSoon(state.draft.elements.length === 0 ? 'new-element' : `element-${Math.min(index, state.draft.elements.length - 1)}-remove`);
  },
  moveElement: (index, by) => {
    setDraft((d) => moveElement(d, index, by), 'elements');
    focusSoon(`element-${index + by}-${by === -1 ? 'up' : 'down'}`);
  },
  setElement: (index, change) => setDraft((d) => updateElement(d, index, change), `element.${index}`),
  insertElement: (index) => {
    const field = document.getElementById('prompt') as (HTMLElement & { wrappedElement?: HTMLTextAreaElement }) | null;
    const area = field?.wrappedElement;
    const text = state.draft.prompt;
    const start = area?.selectionStart ?? text.length;
    const end = area?.selectionEnd ?? text.length;
    const inserted = insertToken(text, start, end, elementToken(index));
    setDraft((d) => ({ ...d, prompt: inserted.text }), 'prompt');
    setTimeout(() => {
      void Promise.resolve((field as { updateComplete?: Promise<unknown> } | null)?.updateComplete).then(() => {
        area?.focus();
        area?.setSelectionRange(inserted.caret, inserted.caret);
      });
    }, 0);
  },
};

function clearImageMessage(target: ImageTarget): void {
  if (imageMessages[target] === undefined) return;
  const { [target]: _gone, ...rest } = imageMessages;
  imageMessages = rest;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** An image the host took (or refused) for a frame or an element defined here. */
function imageChosen(target: ImageTarget, ref: string | undefined, problem: string | undefined): void {
  clearImageMessage(target);
  if (problem !== undefined || ref === undefined) {
    imageMessages = { ...imageMessages, [target]: problem ?? l10n.t('The image was not used.') };
    paint();
    return;
  }
  if (target === 'image' || target === 'end_image') return actions.setImage(target as ImageSlot, ref);
  const [, index, which] = /^element\.(\d)\.(frontal|refer)$/.exec(target)!;
  const i = Number(index);
  const element = state.draft.elements[i];
  if (!element || element.kind !== 'new') return;
  actions.setElement(i, which === 'frontal' ? { frontal_image: ref } : { refer_images: [...element.refer_images, ref].slice(0, 3) });
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = HostMessage.safeParse(event.data);
  if (!parsed.success) return;
  const message = parsed.data;
  switch (message.type) {
    case 'composer/context':
      host = { known: true, backend: message.backend, ready: message.ready, trusted: message.trusted, balance: message.balance, elsewhere: message.elsewhere === true };
      break;
    case 'composer/balance':
      host = { ...host, balance: message.balance };
      break;
    case 'composer/load': {
      const keep = JSON.stringify(state.draft) !== JSON.stringify(emptyDraft()) && JSON.stringify(state.draft) !== JSON.stringify(message.draft);
      // The banner says where it came from ("Loaded from …"): once, not again in the status line.
      status = undefined;
      update((s) => ({
        ...s,
        previous: keep ? s.draft : s.previous,
        draft: message.draft,
        source: message.source,
        from: message.from,
        notes: message.notes,
        touched: [],
        showAll: true,
      }));
      focusSoon('prompt');
      return;
    }
    case 'composer/restore':
      adopt(message.state);
      return;
    case 'composer/submitted':
      busy = 'idle';
      status = message.outcome === 'created' ? { text: message.label ? l10n.t('Task created: "{0}" is in the Tasks view.', message.label) : l10n.t('Task created: the video is in the Tasks view.'), showTasks: true } : undefined;
      break;
    case 'composer/imageChosen':
      imageChosen(message.target, message.ref, message.problem);
      return;
    case 'composer/elementsChosen':
      setDraft((d) => message.elements.reduce((draft, element) => addElement(draft, element), d), 'elements');
      return;
    case 'composer/described':
      describeAnswered++;
      images = { ...images, ...message.images };
      if (describeAnswered === describeAsked) elementInfos = message.elements;
      check = checkDraft(state.draft, draftContext());
      break;
    case 'composer/saved':
      busy = 'idle';
      if (message.source) {
        const source = message.source;
        status = { text: l10n.t('Saved as "{0}" in {1}.', source.video, source.file) };
        update((s) => ({ ...s, source, from: undefined }));
        return;
      }
      break;
  }
  paint();
});

document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey) {
    event.preventDefault();
    actions.generate();
  }
});

paint();

// The sticky footer must not hide the field that has the focus: focus scrolling keeps clear of its height.
const footer = root.querySelector('.footer');
if (footer) {
  new ResizeObserver(() => {
    // CSSOM, not a style attribute: the CSP allows it.
    document.documentElement.style.setProperty('--footer-height', `${Math.ceil(footer.getBoundingClientRect().height)}px`);
  }).observe(footer);
}

post({ type: 'composer/ready' });
describeIfChanged();
post({ type: 'composer/state', state });
