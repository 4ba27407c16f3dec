// The composer's Frames section: the first and last frame, each set by a file picker, a drop (the Explorer, with
// Shift held as VS Code asks for drops into a page, or the OS) or an https link; a thumbnail (a webview URI from the
// host: the CSP loads nothing else), the image's size and dimensions, a remove button, and the rule's message at it.
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import { imageSummary } from '../../core/composer/composerPageState.js';
import { frameMisfit, frameMisfitMessage, type FrameMisfit } from '../../core/images/frameFit.js';
import type { ImageSlot } from '../../core/composer/composerForm.js';
import type { ImageInfo, ImageTarget } from '../../core/composer/composerProtocol.js';
import type { Actions, ViewModel } from './composerView.mjs';

// `noun` goes into the core's framing warning, which is English (docs/l10n.md); `label` is what the page shows.
const slots = (): ReadonlyArray<{ slot: ImageSlot; noun: string; label: string; help: string }> => [
  { slot: 'image', noun: 'first frame', label: l10n.t('First frame'), help: l10n.t('The video starts from this image (image-to-video).') },
  { slot: 'end_image', noun: 'last frame', label: l10n.t('Last frame'), help: l10n.t('The video ends on this image; it needs a first frame.') },
];

export function framesSection(m: ViewModel, a: Actions): TemplateResult {
  return html`<fieldset class="field frames" id="frames">
    <legend>${l10n.t('Frames')} <span class="normal">${l10n.t('(optional)')}</span></legend>
    ${slots().map(({ slot, noun, label, help }) => imageSlot(m, a, slot, noun, label, help))}
  </fieldset>`;
}

function imageSlot(m: ViewModel, a: Actions, slot: ImageSlot, noun: string, label: string, help: string): TemplateResult {
  const ref = m.state.draft[slot];
  const problem = m.imageMessages[slot] ?? m.problems[slot];
  const info = ref ? m.images[ref] : undefined;
  // The framing guard (frameFit.ts): the same warning as a storyboard's, and the part the video keeps drawn on the thumbnail.
  const misfit = info?.ok ? frameMisfit(info.width, info.height, m.state.draft.aspect_ratio) : undefined;
  const framing = info?.ok && misfit ? frameMisfitMessage(`The ${noun}`, info.width, info.height, m.state.draft.aspect_ratio, misfit) : undefined;
  return html`<div class="image-slot" id="${slot}-slot" @dragover=${dragOver} @dragleave=${dragLeave} @drop=${(e: DragEvent) => dropped(e, slot, a)}>
    <div class="label-row"><span class="slot-label" id="${slot}-label">${label}</span></div>
    ${ref
      ? imageCard(ref, info, `${slot}`, label, () => a.setImage(slot, undefined), misfit)
      : html`<div class="drop-zone" aria-labelledby="${slot}-label">
          <div class="help">${help} ${l10n.t('Drop an image here (hold Shift while dragging from the Explorer), choose a file, or paste an https link.')}</div>
          <div class="inline">
            <vscode-button id="${slot}-choose" secondary icon="folder-opened" @click=${() => a.chooseImage(slot)}>${l10n.t('Choose File…')}</vscode-button>
            <vscode-textfield id="${slot}-url" class="url" placeholder="https://…/image.png" aria-label=${l10n.t('{0} link', label)}
              @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && (e.preventDefault(), a.setImageUrl(slot, (e.target as HTMLInputElement).value))}
              @change=${(e: Event) => a.setImageUrl(slot, (e.target as HTMLInputElement).value)}></vscode-textfield>
          </div>
        </div>`}
    ${fieldMessage(`${slot}-message`, problem)}
    ${problem ? nothing : warningMessage(`${slot}-framing`, framing ? `${framing.replace(/change aspect_ratio$/, 'change the aspect ratio')}.` : undefined)}
  </div>`;
}

/**
 * A chosen image: its thumbnail, its name, what it is, and a button that takes it away. With a `misfit`, the part of
 * the image the video's frame covers is drawn over the thumbnail (the rest shaded).
 */
export function imageCard(ref: string, info: ImageInfo | undefined, id: string, label: string, remove: () => void, misfit?: FrameMisfit): TemplateResult {
  const link = /^https:\/\//i.test(ref);
  const summary = link ? l10n.t('A link: the service fetches it when the video is made.') : !info ? l10n.t('Checking…') : info.ok ? imageSummary(info) : '';
  return html`<div class=${classMap({ 'image-card': true, refused: !!info && !info.ok })} id="${id}-card">
    ${info?.thumbnail
      ? html`<span class="thumb-frame"><img class="thumb" id="${id}-thumb" src=${info.thumbnail} alt="${label}: ${ref}" />${info.ok && misfit ? cropOverlay(`${id}-crop`, info.width, info.height, misfit) : nothing}</span>`
      : html`<span class="thumb placeholder codicon ${link ? 'codicon-link' : 'codicon-file-media'}" aria-hidden="true"></span>`}
    <div class="image-text">
      <div class="image-name" title=${ref}>${ref}</div>
      <div class="image-summary" id="${id}-summary">${summary}</div>
    </div>
    <vscode-button icon="close" icon-only secondary id="${id}-remove" aria-label=${l10n.t('Remove the {0}', label)} title=${l10n.t('Remove')} @click=${remove}></vscode-button>
  </div>`;
}

/**
 * The video's frame over a thumbnail: an SVG whose viewBox is the image's own size, fitted as the thumbnail's
 * object-fit: contain fits the image (xMidYMid meet), so the crop is drawn in the image's pixels. Attributes, not
 * inline styles: the CSP forbids those.
 */
function cropOverlay(id: string, width: number, height: number, misfit: FrameMisfit): TemplateResult {
  const x = misfit.crop.x * width;
  const y = misfit.crop.y * height;
  const w = misfit.crop.width * width;
  const h = misfit.crop.height * height;
  return html`<svg class="crop-overlay" id=${id} viewBox="0 0 ${width} ${height}" preserveAspectRatio="xMidYMid meet" aria-hidden="true"
    data-crop="${Math.round(x)},${Math.round(y)},${Math.round(w)},${Math.round(h)}">
    <path class="crop-shade" fill-rule="evenodd" d="M0 0H${width}V${height}H0Z M${x} ${y}h${w}v${h}h${-w}Z"></path>
    <rect class="crop-edge" x=${x} y=${y} width=${w} height=${h} vector-effect="non-scaling-stroke"></rect>
  </svg>`;
}

/** A warning at a field: the form stays usable (the framing guard). */
function warningMessage(id: string, text: string | undefined): TemplateResult {
  return html`<div class="message warning" id=${id} aria-live="polite">${text
    ? html`<span class="codicon codicon-warning" aria-hidden="true"></span><span>${text}</span>`
    : nothing}</div>`;
}

export function fieldMessage(id: string, text: string | undefined): TemplateResult {
  return html`<div class="message" id=${id} aria-live="polite">${text
    ? html`<span class="codicon codicon-error" aria-hidden="true"></span><span>${text}</span>`
    : nothing}</div>`;
}

export function dragOver(event: DragEvent): void {
  event.preventDefault();
  if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  (event.currentTarget as HTMLElement).classList.add('dragging');
}

export function dragLeave(event: DragEvent): void {
  (event.currentTarget as HTMLElement).classList.remove('dragging');
}

/**
 * A drop: the URIs VS Code's Explorer puts on the drag (its own list, or text/uri-list), else a file from the OS by
 * its bytes. The host decides what to do with either.
 */
export function dropped(event: DragEvent, target: ImageTarget, a: Actions): void {
  event.preventDefault();
  (event.currentTarget as HTMLElement).classList.remove('dragging');
  const data = event.dataTransfer;
  if (!data) return;
  const uris = droppedUris(data);
  if (uris.length) return a.dropUris(target, uris);
  const file = data.files[0];
  if (file) a.dropFile(target, file);
}

function droppedUris(data: DataTransfer): string[] {
  const code = data.getData('application/vnd.code.uri-list');
  const list = code || data.getData('text/uri-list');
  if (list) return list.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#')).slice(0, 20);
  const resources = data.getData('ResourceURLs');
  if (resources) {
    try {
      const parsed: unknown = JSON.parse(resources);
      if (Array.isArray(parsed)) return parsed.filter((u): u is string => typeof u === 'string').slice(0, 20);
    } catch {
      return [];
    }
  }
  return [];
}
