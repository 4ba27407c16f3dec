// The composer's markup, as lit templates: one render of the whole form per change. lit updates only what changed, so
// typing never rebuilds a field (focus and caret stay put) and the price and balance lines change without flicker.
// No inline style anywhere (the CSP forbids it): the look comes from composer.css and VS Code's theme variables.
import * as l10n from '@vscode/l10n';
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

// Functions, not constants: a translation is configured when the page starts (pageL10n.ts), after modules load.
const aspects = () =>
  [
    { value: '16:9', name: l10n.t('Landscape'), shape: 'frame-landscape' },
    { value: '9:16', name: l10n.t('Portrait'), shape: 'frame-portrait' },
    { value: '1:1', name: l10n.t('Square'), shape: 'frame-square' },
  ] as const;

const modes = (): ReadonlyArray<{ value: MultiShotMode; label: string }> => [
  { value: 'off', label: l10n.t('Off') },
  { value: 'auto', label: l10n.t('Let the model plan') },
  { value: 'custom', label: l10n.t('My shots') },
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
      <div><span class="codicon codicon-go-to-file" aria-hidden="true"></span> ${l10n.t('The composer is open in an editor tab, with your draft. Close the tab to bring the draft back here.')}</div>
      <div class="banner-actions"><vscode-button id="show-editor" @click=${() => a.openInEditor()}>${l10n.t('Show the Editor Tab')}</vscode-button></div>
    </div>`;
  }
  return html`
    ${banners(m, a)}
    <form class="form" novalidate @submit=${(e: Event) => e.preventDefault()}>
      <div class="field">
        <div class="label-row">
          <vscode-label for="prompt">${l10n.t('Prompt')}${draft.multi_shot === 'custom' ? html` <span class="normal">${l10n.t('(optional with your own shots)')}</span>` : nothing}</vscode-label>
          <span class=${classMap({ count: true, over: draft.prompt.length > PROMPT_MAX })} aria-hidden="true">${draft.prompt.length} / ${PROMPT_MAX}</span>
        </div>
        <vscode-textarea
          id="prompt"
          rows="5"
          resize="vertical"
          placeholder=${l10n.t('Subject, action, setting, camera, style: a golden retriever running through a sunlit meadow, cinematic slow motion')}
          ?invalid=${!!m.problems.prompt}
          .value=${live(draft.prompt)}
          @input=${(e: Event) => a.set('prompt', valueOf(e), 'prompt')}
        ></vscode-textarea>
        ${message('prompt-message', m.problems.prompt)}
      </div>

      <div class="field">
        <div class="label-row">
          <vscode-label for="negative-prompt">${l10n.t('Negative prompt')} <span class="normal">${l10n.t('(optional)')}</span></vscode-label>
          ${draft.negative_prompt.length > 0
            ? html`<span class=${classMap({ count: true, over: draft.negative_prompt.length > PROMPT_MAX })} aria-hidden="true">${draft.negative_prompt.length} / ${PROMPT_MAX}</span>`
            : nothing}
        </div>
        <vscode-textarea
          id="negative-prompt"
          rows="2"
          resize="vertical"
          placeholder=${l10n.t('What the video should not show: blurry, text, watermark')}
          ?invalid=${!!m.problems.negative_prompt}
          .value=${live(draft.negative_prompt)}
          @input=${(e: Event) => a.set('negative_prompt', valueOf(e), 'negative_prompt')}
        ></vscode-textarea>
        ${message('negative-prompt-message', m.problems.negative_prompt)}
      </div>

      <div class="field">
        <vscode-label for="duration">${l10n.t('Duration')} <span class="normal">${l10n.t('(seconds, {0} to {1})', 3, 15)}</span></vscode-label>
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
          <span class="unit" aria-hidden="true">${l10n.t('s')}</span>
        </div>
        ${message('duration-message', m.problems.duration)}
      </div>

      <fieldset class="field aspect">
        <legend>${l10n.t('Aspect ratio')}</legend>
        <div class="aspect-choices">
          ${aspects().map(
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
        <vscode-label for="quality">${l10n.t('Quality')}</vscode-label>
        <vscode-radio-group
          id="quality"
          @change=${(e: Event) => radioChosen(e, (v) => a.set('quality', v as ComposerDraft['quality']))}
          @focusin=${(e: Event) => radioChosen(e, (v) => a.set('quality', v as ComposerDraft['quality']))}
        >
          <vscode-radio name="quality" value="720p" .checked=${draft.quality === '720p'}>720p</vscode-radio>
          <vscode-radio name="quality" value="1080p" .checked=${draft.quality === '1080p'}>1080p <span class="hint">${l10n.t('(costs a third more)')}</span></vscode-radio>
        </vscode-radio-group>
      </div>

      <div class="field checks">
        <vscode-checkbox id="sound" .checked=${draft.sound === 'on'} @change=${(e: Event) => a.set('sound', checkedOf(e) ? 'on' : 'off')}
          >${l10n.t('Sound')} <span class="hint">${l10n.t('(costs half as much again; VS Code plays it silent)')}</span></vscode-checkbox
        >
        <vscode-checkbox id="watermark" .checked=${draft.watermark} @change=${(e: Event) => a.set('watermark', checkedOf(e))}
          >${l10n.t('Watermark')} <span class="hint">${l10n.t('(the service\'s own)')}</span></vscode-checkbox
        >
      </div>

      <div class="field">
        <vscode-label for="multi-shot">${l10n.t('Multi-shot')}</vscode-label>
        <vscode-radio-group
          id="multi-shot"
          variant="vertical"
          @change=${(e: Event) => radioChosen(e, (v) => a.setMode(v as MultiShotMode))}
          @focusin=${(e: Event) => radioChosen(e, (v) => a.setMode(v as MultiShotMode))}
        >
          ${modes().map((mode) => html`<vscode-radio name="multi_shot" value=${mode.value} .checked=${draft.multi_shot === mode.value}>${mode.label}</vscode-radio>`)}
        </vscode-radio-group>
        <div class="help" id="multi-shot-help">${modeHelp(draft.multi_shot)}</div>
        ${draft.multi_shot === 'custom' ? shotEditor(m, a) : nothing}
      </div>
      ${framesSection(m, a)}
      ${elementsSection(m, a)}

      <div class="field">
        <vscode-label for="callback-url">${l10n.t('Callback URL')} <span class="normal">${l10n.t('(optional: your server, told when the video is ready)')}</span></vscode-label>
        <vscode-textfield id="callback-url" class="wide" placeholder="https://example.com/kling-callback" ?invalid=${!!m.problems.callback_url}
          .value=${live(draft.callback_url)} @input=${(e: Event) => a.set('callback_url', valueOf(e), 'callback_url')}></vscode-textfield>
        ${message('callback-url-message', m.problems.callback_url)}
      </div>

      <div class="field">
        <vscode-label for="file-name">${l10n.t('File name')} <span class="normal">${l10n.t('(saved as this .mp4; empty: from the prompt)')}</span></vscode-label>
        <div class="inline">
          <vscode-textfield id="file-name" class="wide" placeholder=${m.fileNamePlaceholder} ?invalid=${!!m.problems.file_name}
            aria-describedby="file-name-help" .value=${live(draft.file_name ?? '')} @input=${(e: Event) => a.set('file_name', valueOf(e), 'file_name')}></vscode-textfield>
          <span class="unit" aria-hidden="true">.mp4</span>
        </div>
        <div class="help" id="file-name-help">${(draft.file_name ?? '').trim() === ''
          ? l10n.t('{0} in the output folder.', `${m.fileNamePlaceholder}-<date>-<time>.mp4`)
          : l10n.t('Lowercase letters, digits, "-" and "_", as a storyboard video\'s name. An existing file is never replaced.')}</div>
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
    <vscode-label for="variants-count">${l10n.t('Variants')} <span class="normal">${l10n.t('(takes of the same video, each paid for)')}</span></vscode-label>
    <div class="inline">
      <vscode-button icon="remove" icon-only secondary id="variants-fewer" aria-label=${l10n.t('One take fewer')} title=${l10n.t('One take fewer')}
        ?disabled=${takes <= 1} aria-disabled=${takes <= 1 ? 'true' : 'false'} @click=${() => takes > 1 && set(takes - 1)}></vscode-button>
      <output id="variants-count" class="variants-count" aria-live="polite">${takes}</output>
      <vscode-button icon="add" icon-only secondary id="variants-more" aria-label=${l10n.t('One take more')} title=${l10n.t('One take more')}
        ?disabled=${takes >= MAX_TAKES} aria-disabled=${takes >= MAX_TAKES ? 'true' : 'false'} @click=${() => takes < MAX_TAKES && set(takes + 1)}></vscode-button>
    </div>
    <div class="help" id="variants-help">${takes > 1
      ? l10n.t('Generate makes {0} takes; the first to arrive is the video, and you compare them to keep the best.', takes)
      : l10n.t('One take. Up to {0} let you compare them and keep the best.', MAX_TAKES)}</div>
  </div>`;
}

function radioChosen(event: Event, choose: (value: string) => void): void {
  const value = checkedRadio(event);
  if (value !== undefined) choose(value);
}

function modeHelp(mode: MultiShotMode): string {
  switch (mode) {
    case 'off':
      return l10n.t('One continuous shot.');
    case 'auto':
      return l10n.t('The model splits the prompt into shots itself.');
    case 'custom':
      return l10n.t('Up to {0} shots, each with its own prompt and whole seconds; together they fill the duration.', SHOTS_MAX);
  }
}

function shotEditor(m: ViewModel, a: Actions): TemplateResult {
  const shots = m.state.draft.shots;
  let start = 0;
  const total = m.check.shotTotal;
  const duration = m.state.draft.duration.trim();
  return html`
    <ol class="shots" aria-label=${l10n.t('Shots')}>
      ${shots.map((shot, i) => {
        const seconds = Number(shot.duration);
        const whole = Number.isInteger(seconds) && seconds >= 1;
        const range = whole ? `${start}–${start + seconds} s` : '';
        if (whole) start += seconds;
        const promptProblem = m.problems[`shot.${i}.prompt`];
        const durationProblem = m.problems[`shot.${i}.duration`];
        return html`<li class="shot">
          <div class="shot-head">
            <vscode-label for="shot-${i}-prompt">${l10n.t('Shot {0}', i + 1)}<span class="sr-only"> ${l10n.t('prompt')}</span></vscode-label>
            <span class="shot-range">${range}</span>
            <span class="shot-tools">
              <vscode-button icon="arrow-up" icon-only secondary id="shot-${i}-up" aria-label=${l10n.t('Move shot {0} up', i + 1)} title=${l10n.t('Move up')}
                ?disabled=${i === 0} aria-disabled=${i === 0 ? 'true' : 'false'} @click=${() => i > 0 && a.moveShot(i, -1)}></vscode-button>
              <vscode-button icon="arrow-down" icon-only secondary id="shot-${i}-down" aria-label=${l10n.t('Move shot {0} down', i + 1)} title=${l10n.t('Move down')}
                ?disabled=${i === shots.length - 1} aria-disabled=${i === shots.length - 1 ? 'true' : 'false'}
                @click=${() => i < shots.length - 1 && a.moveShot(i, 1)}></vscode-button>
              <vscode-button icon="trash" icon-only secondary id="shot-${i}-remove" aria-label=${l10n.t('Remove shot {0}', i + 1)} title=${l10n.t('Remove')}
                @click=${() => a.removeShot(i)}></vscode-button>
            </span>
          </div>
          <vscode-textarea
            id="shot-${i}-prompt"
            rows="2"
            resize="vertical"
            placeholder=${l10n.t('What happens in this shot')}
            ?invalid=${!!promptProblem}
            .value=${live(shot.prompt)}
            @input=${(e: Event) => a.setShot(i, { prompt: valueOf(e) })}
          ></vscode-textarea>
          <div class="shot-foot">
            <vscode-label for="shot-${i}-duration" class="small-label">${l10n.t('Seconds')}<span class="sr-only"> ${l10n.t('of shot {0}', i + 1)}</span></vscode-label>
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
        @click=${() => shots.length < SHOTS_MAX && a.addShot()}>${l10n.t('Add Shot')}</vscode-button>
      <span id="shot-total" class=${classMap({ total: true, mismatch: !!m.problems.shots })}
        >${total ? l10n.t('Shots: {0} s of {1} s', total.seconds, duration || '?') : ''}</span>
    </div>
    ${m.durationFromShots !== undefined
      ? html`<vscode-button id="set-duration" secondary @click=${() => a.setDurationToShots()}>${l10n.t('Set Duration to {0} s', m.durationFromShots ?? '')}</vscode-button>`
      : nothing}
    ${message('shots-message', m.problems.shots)}
  `;
}

function banners(m: ViewModel, a: Actions): TemplateResult {
  const s = m.state;
  return html`
    ${s.previous || s.notes.length > 0 || s.source
      ? html`<div class="banner" role="status">
          ${s.from ? html`<div id="loaded-from">${l10n.t('Loaded from {0}.', s.from)}</div>` : s.source ? html`<div>${l10n.t('Saved as {0} in {1}', s.source.video, s.source.file)}</div>` : nothing}
          ${s.notes.map((note) => html`<div class="note"><span class="codicon codicon-info" aria-hidden="true"></span> ${note}</div>`)}
          <div class="banner-actions">
            ${s.previous ? html`<button type="button" class="link" id="restore" @click=${() => a.restorePrevious()}>${l10n.t('Restore the previous draft')}</button>` : nothing}
            <button type="button" class="link" id="dismiss" @click=${() => a.dismissNotice()}>${l10n.t('Dismiss')}</button>
          </div>
        </div>`
      : nothing}
    ${m.host.known && !m.host.ready
      ? html`<div class="banner setup">
          <div>${l10n.t('To generate, set your Kling API key, or try the built-in simulator: placeholder videos, nothing spent.')}</div>
          <div class="banner-actions">
            <vscode-button id="set-api-key" @click=${() => a.setUp('setApiKey')}>${l10n.t('Set API Key…')}</vscode-button>
            <vscode-button id="use-simulator" secondary @click=${() => a.setUp('useSimulator')}>${l10n.t('Try the Simulator')}</vscode-button>
          </div>
        </div>`
      : nothing}
    ${m.host.known && !m.host.trusted
      ? html`<div class="banner warning"><span class="codicon codicon-shield" aria-hidden="true"></span> ${l10n.t('Restricted Mode: compose and see prices here; trust this workspace to generate.')}</div>`
      : nothing}
  `;
}

function footer(m: ViewModel, a: Actions): TemplateResult {
  const busy = m.busy !== 'idle';
  const blocked = m.blocker !== undefined || busy;
  const shortcut = m.isMac ? '⌘Enter' : 'Ctrl+Enter';
  const simulated = m.host.known && m.host.backend === 'simulator';
  const what = m.price ? priceWhat(m.price, m.state.draft, simulated) : '';
  // Compact: the price and the balance on one line, Generate and its two companions on the next; what the price is
  // for and the exact credits are in the tooltip (and heard by screen readers). Messages below only when there are any.
  return html`
    <section class="footer" aria-label=${l10n.t('Price and generate')}>
      <div class="footer-top">
        <div class="price-line" id="price" aria-live="polite" aria-atomic="true" title=${m.price ? `${m.price.usd} · ${m.price.exactCredits} ${what}` : ''}>
          ${m.price
            ? html`<span class="price">${m.price.usd}</span><span class="credits">· ${m.price.credits}</span>
                <span class="price-what sr-only">${what}</span>`
            : html`<span class="price-what">${l10n.t('Set a valid duration to see the price.')}</span>`}
        </div>
        <div class="balance-line" title=${m.balance}>
          <span id="balance" class="sr-only">${m.balance}</span>
          <span class="balance-short" aria-hidden="true">${m.balanceShort}</span>
          ${m.host.known && m.host.ready
            ? html`<vscode-button icon="refresh" icon-only secondary id="refresh-balance" aria-label=${l10n.t('Refresh the balance')} title=${l10n.t('Refresh the balance')}
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
          title=${ifDefined(m.blocker ? undefined : l10n.t('Generate ({0})', shortcut))}
          @click=${() => !blocked && a.generate()}
          >${m.busy === 'generating' ? l10n.t('Creating…') : l10n.t('Generate')}</vscode-button
        >
        <vscode-button id="save" secondary icon="save-as" icon-only aria-label=${l10n.t('Save as Storyboard…')} title=${l10n.t('Save as Storyboard…')} ?disabled=${busy}
          @click=${() => !busy && a.save()}></vscode-button>
        <vscode-button id="clear" secondary icon="clear-all" icon-only aria-label=${l10n.t('Clear the form')} title=${l10n.t('Clear the form')} ?disabled=${busy}
          @click=${() => !busy && a.clear()}></vscode-button>
      </div>
      ${m.overBalance ? html`<div class="warning-line"><span class="codicon codicon-warning" aria-hidden="true"></span> ${l10n.t('This costs more than the balance.')}</div>` : nothing}
      <div class="hint-line" id="generate-hint">${m.blocker && shownAbove(m)
        ? html`<span class="sr-only">${m.blocker}</span><span aria-hidden="true" title=${m.blocker}><span class="codicon codicon-error"></span> ${m.check.problemCount === 1 ? l10n.t('One thing to fix above') : l10n.t('{0} things to fix above', m.check.problemCount)}</span>`
        : (m.blocker ?? nothing)}</div>
      <div class="status" role="status">
        ${m.status
          ? html`${m.status.text}
              ${m.status.showTasks ? html` <button type="button" class="link" id="show-tasks" @click=${() => a.showTasks()}>${l10n.t('Show Tasks')}</button>` : nothing}`
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

/** What the price is for, in the tooltip and for screen readers: "for 2 takes of 5 s image-to-video at 720p with sound". */
function priceWhat(price: NonNullable<ViewModel['price']>, draft: ComposerDraft, simulated: boolean): string {
  const parts = [
    (price.takes ?? 1) > 1 ? l10n.t('{0} takes of {1} s', price.takes ?? 1, price.seconds) : l10n.t('{0} s', price.seconds),
    price.imageToVideo ? l10n.t('image-to-video') : undefined,
    l10n.t('at {0}', draft.quality),
    draft.sound === 'on' ? l10n.t('with sound') : undefined,
    price.newElements ? (price.newElements === 1 ? l10n.t('and 1 new element') : l10n.t('and {0} new elements', price.newElements)) : undefined,
  ];
  return `${l10n.t('for {0}', parts.filter((part) => part !== undefined).join(' '))}${simulated ? l10n.t(', simulated') : ''}`;
}
