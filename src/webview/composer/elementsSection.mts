// The composer's Elements: characters or objects the prompt names as <<<element_1>>>, <<<element_2>>>… in the list's
// order. Each comes from a storyboard of the workspace, is defined here (name, description, a front view and one to
// three more views, the same image rules as frames; made for 1 credit when the video is generated, then remembered
// and reused), or was made already. The host says which will be made (priced) and which are reused.
import { html, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { elementToken, ELEMENTS_MAX, type DraftElement } from '../../core/composer/composerForm.js';
import { ELEMENT_DESCRIPTION_MAX, ELEMENT_NAME_MAX, REFER_IMAGES_MAX } from '../../core/storyboard/storyboardSchema.js';
import type { Actions, ViewModel } from './composerView.mjs';
import { dragLeave, dragOver, dropped, fieldMessage, imageCard } from './framesSection.mjs';

export function elementsSection(m: ViewModel, a: Actions): TemplateResult {
  const elements = m.state.draft.elements;
  const full = elements.length >= ELEMENTS_MAX;
  return html`<fieldset class="field elements" id="elements">
    <legend>Elements <span class="normal">(optional: characters or objects the prompt names)</span></legend>
    ${elements.length === 0 ? html`<div class="help">Add an element, then put its name, such as ${elementToken(0)}, in the prompt.</div>` : nothing}
    <ol class="element-list" aria-label="Elements">
      ${elements.map((element, i) => elementItem(m, a, element, i))}
    </ol>
    <div class="inline">
      <vscode-button id="add-elements" secondary icon="references" ?disabled=${full} @click=${() => !full && a.addElementsFromStoryboards()}>From Storyboards…</vscode-button>
      <vscode-button id="new-element" secondary icon="add" ?disabled=${full} @click=${() => !full && a.newElement()}>New Element</vscode-button>
    </div>
    ${fieldMessage('elements-message', m.problems.elements)}
  </fieldset>`;
}

function elementItem(m: ViewModel, a: Actions, element: DraftElement, i: number): TemplateResult {
  const info = m.elementInfos[i];
  const token = elementToken(i);
  const cost = info ? (info.created ? 'made already: reused' : 'made with the video: 1 credit') : element.kind === 'new' ? 'made with the video: 1 credit' : '';
  const origin = element.kind === 'storyboard' ? `from ${element.file}` : element.kind === 'existing' ? `made already (${element.element_id})` : 'defined here';
  return html`<li class="element" id="element-${i}">
    <div class="element-head">
      ${info?.thumbnail ? html`<img class="thumb small" id="element-${i}-thumb" src=${info.thumbnail} alt="" />` : nothing}
      <code class="token">${token}</code>
      <span class="element-name">${element.kind === 'new' ? element.name || 'New element' : element.name}</span>
      <span class="element-tools">
        <vscode-button icon="insert" icon-only secondary id="element-${i}-insert" aria-label="Put ${token} in the prompt" title="Put ${token} in the prompt at the caret"
          @click=${() => a.insertElement(i)}></vscode-button>
        <vscode-button icon="arrow-up" icon-only secondary id="element-${i}-up" aria-label="Move element ${i + 1} up" title="Move up"
          ?disabled=${i === 0} @click=${() => i > 0 && a.moveElement(i, -1)}></vscode-button>
        <vscode-button icon="arrow-down" icon-only secondary id="element-${i}-down" aria-label="Move element ${i + 1} down" title="Move down"
          ?disabled=${i === m.state.draft.elements.length - 1} @click=${() => i < m.state.draft.elements.length - 1 && a.moveElement(i, 1)}></vscode-button>
        <vscode-button icon="trash" icon-only secondary id="element-${i}-remove" aria-label="Remove element ${i + 1}" title="Remove"
          @click=${() => a.removeElement(i)}></vscode-button>
      </span>
    </div>
    <div class="element-about" id="element-${i}-about">${origin}${cost ? ` · ${cost}` : ''}${info?.description && element.kind !== 'new' ? html`<div class="help">${info.description}</div>` : nothing}</div>
    ${element.kind === 'new' ? elementEditor(m, a, element, i) : nothing}
    ${fieldMessage(`element-${i}-message`, m.imageMessages[`element.${i}.frontal`] ?? m.imageMessages[`element.${i}.refer`] ?? m.problems[`element.${i}`])}
  </li>`;
}

function elementEditor(m: ViewModel, a: Actions, element: Extract<DraftElement, { kind: 'new' }>, i: number): TemplateResult {
  const referFull = element.refer_images.length >= REFER_IMAGES_MAX;
  return html`
    <vscode-label for="element-${i}-name" class="small-label">Name <span class="normal">(up to ${ELEMENT_NAME_MAX} characters)</span></vscode-label>
    <vscode-textfield id="element-${i}-name" placeholder="Mia" .value=${live(element.name)}
      @input=${(e: Event) => a.setElement(i, { name: (e.target as HTMLInputElement).value })}></vscode-textfield>
    <vscode-label for="element-${i}-description" class="small-label">Description <span class="normal">(up to ${ELEMENT_DESCRIPTION_MAX} characters)</span></vscode-label>
    <vscode-textfield id="element-${i}-description" class="wide" placeholder="A girl of ten in a yellow raincoat" .value=${live(element.description)}
      @input=${(e: Event) => a.setElement(i, { description: (e.target as HTMLInputElement).value })}></vscode-textfield>
    <div class="image-slot" id="element-${i}-frontal-slot" @dragover=${dragOver} @dragleave=${dragLeave} @drop=${(e: DragEvent) => dropped(e, `element.${i}.frontal`, a)}>
      <span class="slot-label">Front view</span>
      ${element.frontal_image
        ? imageCard(element.frontal_image, m.images[element.frontal_image], `element-${i}-frontal`, `front view of element ${i + 1}`, () => a.setElement(i, { frontal_image: '' }))
        : html`<vscode-button id="element-${i}-frontal-choose" secondary icon="folder-opened" @click=${() => a.chooseImage(`element.${i}.frontal`)}>Choose Front View…</vscode-button>`}
    </div>
    <div class="image-slot" id="element-${i}-refer-slot" @dragover=${dragOver} @dragleave=${dragLeave} @drop=${(e: DragEvent) => !referFull && dropped(e, `element.${i}.refer`, a)}>
      <span class="slot-label">More views <span class="normal">(1 to ${REFER_IMAGES_MAX})</span></span>
      ${element.refer_images.map((ref, k) =>
        imageCard(ref, m.images[ref], `element-${i}-refer-${k}`, `view ${k + 1} of element ${i + 1}`, () =>
          a.setElement(i, { refer_images: element.refer_images.filter((_, j) => j !== k) }),
        ),
      )}
      ${referFull
        ? nothing
        : html`<vscode-button id="element-${i}-refer-choose" secondary icon="add" @click=${() => a.chooseImage(`element.${i}.refer`)}>Add a View…</vscode-button>`}
    </div>
  `;
}
