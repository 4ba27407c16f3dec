// The composer page: the form, its live price, and the messages to and from the host. The draft is the page's own
// (getState/setState keep it through hiding and reloads); whether it is valid, what it costs and the edits its buttons
// make come from src/core/composer, the same code the host checks it with. See ../../core/composer/composerProtocol.ts.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { render } from 'lit';
import {
  addShot,
  checkDraft,
  durationFromShots,
  emptyDraft,
  moveShot,
  removeShot,
  setDurationToShots,
  setMultiShot,
  updateShot,
  type ComposerDraft,
  type DraftCheck,
  type FieldKey,
} from '../../core/composer/composerForm.js';
import {
  balanceText,
  exceedsBalance,
  generateBlocker,
  markTouched,
  priceText,
  restorePageState,
  visibleProblems,
  type PageState,
} from '../../core/composer/composerPageState.js';
import { HostMessage, type PageMessage } from '../../core/composer/composerProtocol.js';
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

let state: PageState = restorePageState(vscode.getState());
let check: DraftCheck = checkDraft(state.draft);
let host: HostContext = { known: false, backend: 'api', ready: false, trusted: true, balance: { kind: 'unknown' } };
let busy: ViewModel['busy'] = 'idle';
let status: ViewModel['status'];

function post(message: PageMessage): void {
  vscode.postMessage(message);
}

/** Every change goes through here: new state, saved at once (a reload loses nothing), then one render. */
function update(change: (current: PageState) => PageState): void {
  const next = change(state);
  if (next.draft !== state.draft) check = checkDraft(next.draft);
  state = next;
  vscode.setState(state);
  paint();
}

function paint(): void {
  const model: ViewModel = {
    state,
    check,
    problems: visibleProblems(check, state),
    host,
    busy,
    status,
    price: priceText(check),
    balance: host.known ? balanceText(host.balance, host.backend, host.ready) : 'Balance: …',
    overBalance: host.known && host.ready && exceedsBalance(check, host.balance),
    blocker: generateBlocker(check),
    durationFromShots: durationFromShots(state.draft),
    isMac,
  };
  render(composerView(model, actions), root);
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

const FOCUS_OF: Record<string, string> = { prompt: 'prompt', negative_prompt: 'negative-prompt', duration: 'duration', shots: 'add-shot', form: 'prompt' };

/** With problems left, Generate and Save show them all and take the user to the first. */
function blockedByProblems(): boolean {
  if (check.problemCount === 0) return false;
  update((s) => ({ ...s, showAll: true }));
  const first = Object.keys(check.problems)[0] as FieldKey;
  const shot = /^shot\.(\d)\.(prompt|duration)$/.exec(first);
  focusSoon(shot ? `shot-${shot[1]}-${shot[2]}` : (FOCUS_OF[first] ?? 'prompt'));
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
    status = { text: 'Creating the task…' };
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
    status = { text: 'The form is cleared.' };
    update((s) => ({ ...s, previous: s.draft, draft: emptyDraft(), source: undefined, from: undefined, notes: [], touched: [], showAll: false }));
    focusSoon('prompt');
  },
  restorePrevious: () => {
    if (!state.previous) return;
    status = { text: 'The previous draft is back.' };
    update((s) => ({ ...s, draft: s.previous!, previous: undefined, source: undefined, from: undefined, notes: [] }));
    focusSoon('prompt');
  },
  dismissNotice: () => {
    update((s) => ({ ...s, previous: undefined, notes: [], source: undefined, from: undefined }));
    focusSoon('prompt');
  },
  setUp: (action) => post({ type: 'composer/setUp', action }),
  showTasks: () => post({ type: 'composer/showTasks' }),
  refreshBalance: () => post({ type: 'composer/refreshBalance' }),
};

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = HostMessage.safeParse(event.data);
  if (!parsed.success) return;
  const message = parsed.data;
  switch (message.type) {
    case 'composer/context':
      host = { known: true, backend: message.backend, ready: message.ready, trusted: message.trusted, balance: message.balance };
      break;
    case 'composer/balance':
      host = { ...host, balance: message.balance };
      break;
    case 'composer/load': {
      const keep = JSON.stringify(state.draft) !== JSON.stringify(emptyDraft()) && JSON.stringify(state.draft) !== JSON.stringify(message.draft);
      status = { text: `Loaded from ${message.from}.` };
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
    case 'composer/submitted':
      busy = 'idle';
      status = message.outcome === 'created' ? { text: `Task created: "${message.label ?? 'the video'}" is in the Tasks view.`, showTasks: true } : undefined;
      break;
    case 'composer/saved':
      busy = 'idle';
      if (message.source) {
        const source = message.source;
        status = { text: `Saved as "${source.video}" in ${source.file}.` };
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
