// The composer's markup, as lit templates: one render of the whole form per change. lit updates only what changed, so
// typing never rebuilds a field (focus and caret stay put) and the price and balance lines change without flicker.
// No inline style anywhere (the CSP forbids it): the look comes from composer.css and VS Code's theme variables.
import { html, nothing, type TemplateResult } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { live } from 'lit/directives/live.js';
import { PROMPT_MAX, SHOT_PROMPT_MAX, SHOTS_MAX } from '../../core/api/apiSchemas.js';
import { MAX_TAKES } from '../../core/takes/takeLimits.js';
import type { ComposerDraft, DraftCheck, DraftElement, FieldKey, ImageSlot, MultiShotMode } from '../../core/composer/composerForm.js';
import type { Balance } from '../../core/api/balance.js';
import type { ElementInfo, ImageInfo, ImageTarget } from '../../core/composer/composerProtocol.js';
import type { PageState } from '../../core/composer/composerPageState.js';
import { elementsSection } from './elementsSection.mjs';
import { framesSection } from './framesSection.mjs';

export interface HostContext {
  /** False until the host's first 'composer/context' arrives. */
  known: boolean;
  backend: 'api' | 'simulator';
  ready: boolean;
  trusted: boolean;
  balance: Balance;
  /** The side bar's page while the draft is in the editor tab (Open Composer in Editor). */
  elsewhere: boolean;
}

export interface ViewModel {
  state: PageState;
  check: DraftCheck;
  problems: Partial<Record<FieldKey, string>>;
  host: HostContext;
  busy: 'idle' | 'generating' | 'saving';
  status: { text: string; showTasks?: boolean } | undefined;
  price: { usd: string; credits: string; exactCredits: string; seconds: number; newElements: number; imageToVideo: boolean; takes?: number } | undefined;
  /** What the host found about the form's local images, by ref. */
  images: Readonly<Record<string, ImageInfo>>;
  /** What the host found about each element, in order (empty until it answers). */
  elementInfos: readonly ElementInfo[];
  /** Why an image just picked, dropped or typed was not taken, at its field. */
  imageMessages: Partial<Record<ImageTarget, string>>;
  balance: string;
  /** The balance in a few words, for the compact footer (`balance` is the sentence behind it). */
  balanceShort: string;
  surface: 'view' | 'editor';
  /** The file name Generate uses when the field is empty (from the prompt). */
  fileNamePlaceholder: string;
  overBalance: boolean;
  blocker: string | undefined;
  durationFromShots: number | undefined;
  isMac: boolean;
}

export interface Actions {
  set<K extends keyof ComposerDraft>(field: K, value: ComposerDraft[K], touched?: FieldKey): void;
  setMode(mode: MultiShotMode): void;
  addShot(): void;
  removeShot(index: number): void;
  moveShot(index: number, by: -1 | 1): void;
  setShot(index: number, change: { prompt?: string; duration?: string }): void;
  setDurationToShots(): void;
  generate(): void;
  save(): void;
  clear(): void;
  restorePrevious(): void;
  dismissNotice(): void;
  setUp(action: 'setApiKey' | 'useSimulator'): void;
  openInEditor(): void;
  showTasks(): void;
  refreshBalance(): void;
  chooseImage(target: ImageTarget): void;
  dropUris(target: ImageTarget, uris: string[]): void;
  dropFile(target: ImageTarget, file: File): void;
  setImage(slot: ImageSlot, ref: string | undefined): void;
  setImageUrl(slot: ImageSlot, text: string): void;
  addElementsFromStoryboards(): void;
  newElement(): void;
  removeElement(index: number): void;
  moveElement(index: number, by: -1 | 1): void;
  setElement(index: number, change: Partial<Extract<DraftElement, { kind: 'new' }>>): void;
  insertElement(index: number): void;
}

const ASPECTS = [
  { value: '16:9', name: 'Landscape', shape: 'frame-landscape' },
  { value: '9:16', name: 'Portrait', shape: 'frame-portrait' },
  { value: '1:1', name: 'Square', shape: 'frame-square' },
] as const;

const MODES: ReadonlyArray<{ value: MultiShotMode; label: string }> = [
  { value: 'off', label: 'Off' },
  { value: 'auto', label: 'Let the model plan' },
  { value: 'custom', label: 'My shots' },
];

const valueOf = (event: Event) => (event.target as HTMLInputElement).value;
const checkedOf = (event: Event) => (event.target as HTMLInputElement).checked;

/** The value of the radio that is checked in a vscode-radio-group (arrow keys check a radio without a change event). */
function checkedRadio(event: Event): string | undefined {
  const group = (event.currentTarget as HTMLElement).closest('vscode-radio-group') ?? (event.currentTarget as HTMLElement);
  const radio = [...group.querySelectorAll('vscode-radio')].find((r) => (r as unknown as { checked: boolean }).checked);
  return radio ? (radio as unknown as { value: string }).value : undefined;
}

function message(id: string, text: string | undefined): TemplateResult {
  // Always rendered, so the live region exists before its first message (screen readers announce changes only).
  return html`<div class="message" id=${id} aria-live="polite">${text
    ? html`<span class="codicon codicon-error" aria-hidden="true"></span><span>${text}</span>`
    : nothing}</div>`;
}

export function composerView(m: ViewModel, a: Actions): TemplateResult {
  const draft = m.state.draft;
  if (m.surface === 'view' && m.host.elsewhere) {
    return html`<div class="banner elsewhere" role="status">
      <div><span class="codicon codicon-go-to-file" aria-hidden="true"></span> The composer is open in an editor tab, with your draft. Close the tab to bring the draft back here.</div>
      <div class="banner-actions"><vscode-button id="show-editor" @click=${() => a.openInEditor()}>Show the Editor Tab</vscode-button></div>
    </div>`;
  }
  return html`
    ${banners(m, a)}
    <form class="form" novalidate @submit=${(e: Event) => e.preventDefault()}>
      <div class="field">
        <div class="label-row">
          <vscode-label for="prompt">Prompt${draft.multi_shot === 'custom' ? html` <span class="normal">(optional with your own shots)</span>` : nothing}</vscode-label>
          <span class=${classMap({ count: true, over: draft.prompt.length > PROMPT_MAX })} aria-hidden="true">${draft.prompt.length} / ${PROMPT_MAX}</span>
        </div>
        <vscode-textarea
          id="prompt"
          rows="5"
          resize="vertical"
          placeholder="Subject, action, setting, camera, style: a golden retriever running through a sunlit meadow, cinematic slow motion"
          ?invalid=${!!m.problems.prompt}
          .value=${live(draft.prompt)}
          @input=${(e: Event) => a.set('prompt', valueOf(e), 'prompt')}
        ></vscode-textarea>
        ${message('prompt-message', m.problems.prompt)}
      </div>

      <div class="field">
        <div class="label-row">
          <vscode-label for="negative-prompt">Negative prompt <span class="normal">(optional)</span></vscode-label>
          ${draft.negative_prompt.length > 0
            ? html`<span class=${classMap({ count: true, over: draft.negative_prompt.length > PROMPT_MAX })} aria-hidden="true">${draft.negative_prompt.length} / ${PROMPT_MAX}</span>`
            : nothing}
        </div>
        <vscode-textarea
          id="negative-prompt"
          rows="2"
          resize="vertical"
          placeholder="What the video should not show: blurry, text, watermark"
          ?invalid=${!!m.problems.negative_prompt}
          .value=${live(draft.negative_prompt)}
          @input=${(e: Event) => a.set('negative_prompt', valueOf(e), 'negative_prompt')}
        ></vscode-textarea>
        ${message('negative-prompt-message', m.problems.negative_prompt)}
      </div>

      <div class="field">
        <vscode-label for="duration">Duration <span class="normal">(seconds, 3 to 15)</span></vscode-label>
        <div class="inline">
          <vscode-textfield
            id="duration"
            class="seconds"
            type="number"
            min="3"
            max="15"
            step="1"
            ?invalid=${!!m.problems.duration}
            .value=${live(draft.duration)}
            @input=${(e: Event) => a.set('duration', valueOf(e), 'duration')}
          ></vscode-textfield>
          <span class="unit" aria-hidden="true">s</span>
        </div>
        ${message('duration-message', m.problems.duration)}
      </div>

      <fieldset class="field aspect">
        <legend>Aspect ratio</legend>
        <div class="aspect-choices">
          ${ASPECTS.map(
            (aspect) => html`<label class="aspect-choice">
              <input
                type="radio"
                name="aspect_ratio"
                value=${aspect.value}
                .checked=${live(draft.aspect_ratio === aspect.value)}
                @change=${() => a.set('aspect_ratio', aspect.value)}
              />
              <span class="frame-box" aria-hidden="true"><span class="frame ${aspect.shape}"></span></span>
              <span class="aspect-value">${aspect.value}</span>
              <span class="aspect-name">${aspect.name}</span>
            </label>`,
          )}
        </div>
      </fieldset>

      <div class="field">
        <vscode-label for="quality">Quality</vscode-label>
        <vscode-radio-group
          id="quality"
          @change=${(e: Event) => radioChosen(e, (v) => a.set('quality', v as ComposerDraft['quality']))}
          @focusin=${(e: Event) => radioChosen(e, (v) => a.set('quality', v as ComposerDraft['quality']))}
        >
          <vscode-radio name="quality" value="720p" .checked=${draft.quality === '720p'}>720p</vscode-radio>
          <vscode-radio name="quality" value="1080p" .checked=${draft.quality === '1080p'}>1080p <span class="hint">(costs a third more)</span></vscode-radio>
        </vscode-radio-group>
      </div>

      <div class="field checks">
        <vscode-checkbox id="sound" .checked=${draft.sound === 'on'} @change=${(e: Event) => a.set('sound', checkedOf(e) ? 'on' : 'off')}
          >Sound <span class="hint">(costs half as much again; VS Code plays it silent)</span></vscode-checkbox
        >
        <vscode-checkbox id="watermark" .checked=${draft.watermark} @change=${(e: Event) => a.set('watermark', checkedOf(e))}
          >Watermark <span class="hint">(the service's own)</span></vscode-checkbox
        >
      </div>

      <div class="field">
        <vscode-label for="multi-shot">Multi-shot</vscode-label>
        <vscode-radio-group
          id="multi-shot"
          variant="vertical"
          @change=${(e: Event) => radioChosen(e, (v) => a.setMode(v as MultiShotMode))}
          @focusin=${(e: Event) => radioChosen(e, (v) => a.setMode(v as MultiShotMode))}
        >
          ${MODES.map((mode) => html`<vscode-radio name="multi_shot" value=${mode.value} .checked=${draft.multi_shot === mode.value}>${mode.label}</vscode-radio>`)}
        </vscode-radio-group>
        <div class="help" id="multi-shot-help">${modeHelp(draft.multi_shot)}</div>
        ${draft.multi_shot === 'custom' ? shotEditor(m, a) : nothing}
      </div>
      ${framesSection(m, a)}
      ${elementsSection(m, a)}

      <div class="field">
        <vscode-label for="callback-url">Callback URL <span class="normal">(optional: your server, told when the video is ready)</span></vscode-label>
        <vscode-textfield id="callback-url" class="wide" placeholder="https://example.com/kling-callback" ?invalid=${!!m.problems.callback_url}
          .value=${live(draft.callback_url)} @input=${(e: Event) => a.set('callback_url', valueOf(e), 'callback_url')}></vscode-textfield>
        ${message('callback-url-message', m.problems.callback_url)}
      </div>

      <div class="field">
        <vscode-label for="file-name">File name <span class="normal">(saved as this .mp4; empty: from the prompt)</span></vscode-label>
        <div class="inline">
          <vscode-textfield id="file-name" class="wide" placeholder=${m.fileNamePlaceholder} ?invalid=${!!m.problems.file_name}
            aria-describedby="file-name-help" .value=${live(draft.file_name ?? '')} @input=${(e: Event) => a.set('file_name', valueOf(e), 'file_name')}></vscode-textfield>
          <span class="unit" aria-hidden="true">.mp4</span>
        </div>
        <div class="help" id="file-name-help">${(draft.file_name ?? '').trim() === ''
          ? `${m.fileNamePlaceholder}-<date>-<time>.mp4 in the output folder.`
          : 'Lowercase letters, digits, "-" and "_", as a storyboard video\'s name. An existing file is never replaced.'}</div>
        ${message('file-name-message', m.problems.file_name)}
        <vscode-checkbox id="web" .checked=${draft.web === true} @change=${(e: Event) => a.set('web', checkedOf(e) || undefined)}
          >Web-ready <span class="hint">(index first for quick playback, and a poster .jpg beside it)</span></vscode-checkbox
        >
      </div>
      ${variants(m, a)}
    </form>
    ${footer(m, a)}
  `;
}

/** Variants: how many takes of the video Generate makes (the takes feature; its price counts them all). */
function variants(m: ViewModel, a: Actions): TemplateResult {
  const takes = m.state.draft.takes ?? 1;
  const set = (next: number) => a.set('takes', next > 1 ? next : undefined);
  return html`<div class="field">
    <vscode-label for="variants-count">Variants <span class="normal">(takes of the same video, each paid for)</span></vscode-label>
    <div class="inline">
      <vscode-button icon="remove" icon-only secondary id="variants-fewer" aria-label="One take fewer" title="One take fewer"
        ?disabled=${takes <= 1} aria-disabled=${takes <= 1 ? 'true' : 'false'} @click=${() => takes > 1 && set(takes - 1)}></vscode-button>
      <output id="variants-count" class="variants-count" aria-live="polite">${takes}</output>
      <vscode-button icon="add" icon-only secondary id="variants-more" aria-label="One take more" title="One take more"
        ?disabled=${takes >= MAX_TAKES} aria-disabled=${takes >= MAX_TAKES ? 'true' : 'false'} @click=${() => takes < MAX_TAKES && set(takes + 1)}></vscode-button>
    </div>
    <div class="help" id="variants-help">${takes > 1
      ? `Generate makes ${takes} takes; the first to arrive is the video, and you compare them to keep the best.`
      : `One take. Up to ${MAX_TAKES} let you compare them and keep the best.`}</div>
  </div>`;
}

function radioChosen(event: Event, choose: (value: string) => void): void {
  const value = checkedRadio(event);
  if (value !== undefined) choose(value);
}

function modeHelp(mode: MultiShotMode): string {
  switch (mode) {
    case 'off':
      return 'One continuous shot.';
    case 'auto':
      return 'The model splits the prompt into shots itself.';
    case 'custom':
      return `Up to ${SHOTS_MAX} shots, each with its own prompt and whole seconds; together they fill the duration.`;
  }
}

function shotEditor(m: ViewModel, a: Actions): TemplateResult {
  const shots = m.state.draft.shots;
  let start = 0;
  const total = m.check.shotTotal;
  const duration = m.state.draft.duration.trim();
  return html`
    <ol class="shots" aria-label="Shots">
      ${shots.map((shot, i) => {
        const seconds = Number(shot.duration);
        const whole = Number.isInteger(seconds) && seconds >= 1;
        const range = whole ? `${start}–${start + seconds} s` : '';
        if (whole) start += seconds;
        const promptProblem = m.problems[`shot.${i}.prompt`];
        const durationProblem = m.problems[`shot.${i}.duration`];
        return html`<li class="shot">
          <div class="shot-head">
            <vscode-label for="shot-${i}-prompt">Shot ${i + 1}<span class="sr-only"> prompt</span></vscode-label>
            <span class="shot-range">${range}</span>
            <span class="shot-tools">
              <vscode-button icon="arrow-up" icon-only secondary id="shot-${i}-up" aria-label="Move shot ${i + 1} up" title="Move up"
                ?disabled=${i === 0} aria-disabled=${i === 0 ? 'true' : 'false'} @click=${() => i > 0 && a.moveShot(i, -1)}></vscode-button>
              <vscode-button icon="arrow-down" icon-only secondary id="shot-${i}-down" aria-label="Move shot ${i + 1} down" title="Move down"
                ?disabled=${i === shots.length - 1} aria-disabled=${i === shots.length - 1 ? 'true' : 'false'}
                @click=${() => i < shots.length - 1 && a.moveShot(i, 1)}></vscode-button>
              <vscode-button icon="trash" icon-only secondary id="shot-${i}-remove" aria-label="Remove shot ${i + 1}" title="Remove"
                @click=${() => a.removeShot(i)}></vscode-button>
            </span>
          </div>
          <vscode-textarea
            id="shot-${i}-prompt"
            rows="2"
            resize="vertical"
            placeholder="What happens in this shot"
            ?invalid=${!!promptProblem}
            .value=${live(shot.prompt)}
            @input=${(e: Event) => a.setShot(i, { prompt: valueOf(e) })}
          ></vscode-textarea>
          <div class="shot-foot">
            <vscode-label for="shot-${i}-duration" class="small-label">Seconds<span class="sr-only"> of shot ${i + 1}</span></vscode-label>
            <vscode-textfield
              id="shot-${i}-duration"
              class="seconds"
              type="number"
              min="1"
              max="15"
              step="1"
              ?invalid=${!!durationProblem}
              .value=${live(shot.duration)}
              @input=${(e: Event) => a.setShot(i, { duration: valueOf(e) })}
            ></vscode-textfield>
            <span class=${classMap({ count: true, over: shot.prompt.length > SHOT_PROMPT_MAX })} aria-hidden="true">${shot.prompt.length} / ${SHOT_PROMPT_MAX}</span>
          </div>
          ${message(`shot-${i}-prompt-message`, promptProblem)} ${message(`shot-${i}-duration-message`, durationProblem)}
        </li>`;
      })}
    </ol>
    <div class="shot-summary">
      <vscode-button id="add-shot" secondary icon="add" ?disabled=${shots.length >= SHOTS_MAX} aria-disabled=${shots.length >= SHOTS_MAX ? 'true' : 'false'}
        @click=${() => shots.length < SHOTS_MAX && a.addShot()}>Add Shot</vscode-button>
      <span id="shot-total" class=${classMap({ total: true, mismatch: !!m.problems.shots })}
        >${total ? `Shots: ${total.seconds} s of ${duration || '?'} s` : ''}</span>
    </div>
    ${m.durationFromShots !== undefined
      ? html`<vscode-button id="set-duration" secondary @click=${() => a.setDurationToShots()}>Set Duration to ${m.durationFromShots} s</vscode-button>`
      : nothing}
    ${message('shots-message', m.problems.shots)}
  `;
}

function banners(m: ViewModel, a: Actions): TemplateResult {
  const s = m.state;
  return html`
    ${s.previous || s.notes.length > 0 || s.source
      ? html`<div class="banner" role="status">
          ${s.from ? html`<div id="loaded-from">Loaded from ${s.from}.</div>` : s.source ? html`<div>Saved as ${s.source.video} in ${s.source.file}</div>` : nothing}
          ${s.notes.map((note) => html`<div class="note"><span class="codicon codicon-info" aria-hidden="true"></span> ${note}</div>`)}
          <div class="banner-actions">
            ${s.previous ? html`<button type="button" class="link" id="restore" @click=${() => a.restorePrevious()}>Restore the previous draft</button>` : nothing}
            <button type="button" class="link" id="dismiss" @click=${() => a.dismissNotice()}>Dismiss</button>
          </div>
        </div>`
      : nothing}
    ${m.host.known && !m.host.ready
      ? html`<div class="banner setup">
          <div>To generate, set your Kling API key, or try the built-in simulator: placeholder videos, nothing spent.</div>
          <div class="banner-actions">
            <vscode-button id="set-api-key" @click=${() => a.setUp('setApiKey')}>Set API Key…</vscode-button>
            <vscode-button id="use-simulator" secondary @click=${() => a.setUp('useSimulator')}>Try the Simulator</vscode-button>
          </div>
        </div>`
      : nothing}
    ${m.host.known && !m.host.trusted
      ? html`<div class="banner warning"><span class="codicon codicon-shield" aria-hidden="true"></span> Restricted Mode: compose and see prices here; trust this workspace to generate.</div>`
      : nothing}
  `;
}

function footer(m: ViewModel, a: Actions): TemplateResult {
  const busy = m.busy !== 'idle';
  const blocked = m.blocker !== undefined || busy;
  const shortcut = m.isMac ? '⌘Enter' : 'Ctrl+Enter';
  const simulated = m.host.known && m.host.backend === 'simulator';
  const what = m.price
    ? `for ${(m.price.takes ?? 1) > 1 ? `${m.price.takes} takes of ` : ''}${m.price.seconds} s ${m.price.imageToVideo ? 'image-to-video ' : ''}at ${m.state.draft.quality}${m.state.draft.sound === 'on' ? ' with sound' : ''}${m.price.newElements ? ` and ${m.price.newElements} new element${m.price.newElements === 1 ? '' : 's'}` : ''}${simulated ? ', simulated' : ''}`
    : '';
  // Compact: the price and the balance on one line, Generate and its two companions on the next; what the price is
  // for and the exact credits are in the tooltip (and heard by screen readers). Messages below only when there are any.
  return html`
    <section class="footer" aria-label="Price and generate">
      <div class="footer-top">
        <div class="price-line" id="price" aria-live="polite" aria-atomic="true" title=${m.price ? `${m.price.usd} · ${m.price.exactCredits} ${what}` : ''}>
          ${m.price
            ? html`<span class="price">${m.price.usd}</span><span class="credits">· ${m.price.credits}</span>
                <span class="price-what sr-only">${what}</span>`
            : html`<span class="price-what">Set a valid duration to see the price.</span>`}
        </div>
        <div class="balance-line" title=${m.balance}>
          <span id="balance" class="sr-only">${m.balance}</span>
          <span class="balance-short" aria-hidden="true">${m.balanceShort}</span>
          ${m.host.known && m.host.ready
            ? html`<vscode-button icon="refresh" icon-only secondary id="refresh-balance" aria-label="Refresh the balance" title="Refresh the balance"
                @click=${() => a.refreshBalance()}></vscode-button>`
            : nothing}
        </div>
      </div>
      <div class="actions">
        <vscode-button
          id="generate"
          icon=${m.busy === 'generating' ? 'loading' : 'play'}
          ?icon-spin=${m.busy === 'generating'}
          ?disabled=${blocked}
          aria-disabled=${blocked ? 'true' : 'false'}
          aria-describedby="generate-hint"
          title=${ifDefined(m.blocker ? undefined : `Generate (${shortcut})`)}
          @click=${() => !blocked && a.generate()}
          >${m.busy === 'generating' ? 'Creating…' : 'Generate'}</vscode-button
        >
        <vscode-button id="save" secondary icon="save-as" icon-only aria-label="Save as Storyboard…" title="Save as Storyboard…" ?disabled=${busy}
          @click=${() => !busy && a.save()}></vscode-button>
        <vscode-button id="clear" secondary icon="clear-all" icon-only aria-label="Clear the form" title="Clear the form" ?disabled=${busy}
          @click=${() => !busy && a.clear()}></vscode-button>
      </div>
      ${m.overBalance ? html`<div class="warning-line"><span class="codicon codicon-warning" aria-hidden="true"></span> This costs more than the balance.</div>` : nothing}
      <div class="hint-line" id="generate-hint">${m.blocker && shownAbove(m)
        ? html`<span class="sr-only">${m.blocker}</span><span aria-hidden="true" title=${m.blocker}><span class="codicon codicon-error"></span> ${m.check.problemCount === 1 ? 'One thing to fix above' : `${m.check.problemCount} things to fix above`}</span>`
        : (m.blocker ?? nothing)}</div>
      <div class="status" role="status">
        ${m.status
          ? html`${m.status.text}
              ${m.status.showTasks ? html` <button type="button" class="link" id="show-tasks" @click=${() => a.showTasks()}>Show Tasks</button>` : nothing}`
          : nothing}
      </div>
    </section>
  `;
}

/**
 * Whether every problem that blocks Generate is shown at its field above: then the footer says so in a few words (a
 * whole sentence would grow the footer over the form), else it says the sentence, the only place it is seen.
 */
function shownAbove(m: ViewModel): boolean {
  const keys = Object.keys(m.check.problems);
  return keys.length > 0 && keys.every((key) => key !== 'form' && m.problems[key as FieldKey] !== undefined);
}
