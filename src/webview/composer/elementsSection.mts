// The composer's Elements: characters or objects the prompt names as <<<element_1>>>, <<<element_2>>>… in the list's
// order. Each comes from a storyboard of the workspace, is defined here (name, description, a front view and one to
// three more views, the same image rules as frames; made for 1 credit when the video is generated, then remembered
// and reused), or was made already. The host says which will be made (priced) and which are reused.
import * as l10n from '@vscode/l10n';
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
    <legend>${l10n.t('Elements')} <span class="normal">${l10n.t('(optional: characters or objects the prompt names)')}</span></legend>
    ${elements.length === 0 ? html`<div class="help">${l10n.t('Add an element, then put its name, such as {0}, in the prompt.', elementToken(0))}</div>` : nothing}
    <ol class="element-list" aria-label=${l10n.t('Elements')}>
      ${elements.map((element, i) => elementItem(m, a, element, i))}
    </ol>
    <div class="inline">
      <vscode-button id="add-elements" secondary icon="references" ?disabled=${full} @click=${() => !full && a.addElementsFromStoryboards()}>${l10n.t('From Storyboards…')}</vscode-button>
      <vscode-button id="new-element" secondary icon="add" ?disabled=${full} @click=${() => !full && a.newElement()}>${l10n.t('New Element')}</vscode-button>
    </div>
    ${fieldMessage('elements-message', m.problems.elements)}
  </fieldset>`;
}

function elementItem(m: ViewModel, a: Actions, element: DraftElement, i: number): TemplateResult {
  const info = m.elementInfos[i];
  const token = elementToken(i);
  const withVideo = l10n.t('made with the video: 1 credit');
  const cost = info ? (info.created ? l10n.t('made already: reused') : withVideo) : element.kind === 'new' ? withVideo : '';
  const origin =
    element.kind === 'storyboard' ? l10n.t('from {0}', element.file) : element.kind === 'existing' ? l10n.t('made already ({0})', element.element_id) : l10n.t('defined here');
  return html`<li class="element" id="element-${i}">
    <div class="element-head">
      ${info?.thumbnail ? html`<img class="thumb small" id="element-${i}-thumb" src=${info.thumbnail} alt="" />` : nothing}
      <code class="token">${token}</code>
      <span class="element-name">${element.kind === 'new' ? element.name || l10n.t('New element') : element.name}</span>
      <span class="element-tools">
        <vscode-button icon="insert" icon-only secondary id="element-${i}-insert" aria-label=${l10n.t('Put {0} in the prompt', token)} title=${l10n.t('Put {0} in the prompt at the caret', token)}
          @click=${() => a.insertElement(i)}></vscode-button>
        <vscode-button icon="arrow-up" icon-only secondary id="element-${i}-up" aria-label=${l10n.t('Move element {0} up', i + 1)} title=${l10n.t('Move up')}
          ?disabled=${i === 0} @click=${() => i > 0 && a.moveElement(i, -1)}></vscode-button>
        <vscode-button icon="arrow-down" icon-only secondary id="element-${i}-down" aria-label=${l10n.t('Move element {0} down', i + 1)} title=${l10n.t('Move down')}
          ?disabled=${i === m.state.draft.elements.length - 1} @click=${() => i < m.state.draft.elements.length - 1 && a.moveElement(i, 1)}></vscode-button>
        <vscode-button icon="trash" icon-only secondary id="element-${i}-remove" aria-label=${l10n.t('Remove element {0}', i + 1)} title=${l10n.t('Remove')}
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
    <vscode-label for="element-${i}-name" class="small-label">${l10n.t('Name')} <span class="normal">${l10n.t('(up to {0} characters)', ELEMENT_NAME_MAX)}</span></vscode-label>
    <vscode-textfield id="element-${i}-name" placeholder="Mia" .value=${live(element.name)}
      @input=${(e: Event) => a.setElement(i, { name: (e.target as HTMLInputElement).value })}></vscode-textfield>
    <vscode-label for="element-${i}-description" class="small-label">${l10n.t('Description')} <span class="normal">${l10n.t('(up to {0} characters)', ELEMENT_DESCRIPTION_MAX)}</span></vscode-label>
    <vscode-textfield id="element-${i}-description" class="wide" placeholder=${l10n.t('A girl of ten in a yellow raincoat')} .value=${live(element.description)}
      @input=${(e: Event) => a.setElement(i, { description: (e.target as HTMLInputElement).value })}></vscode-textfield>
    <div class="image-slot" id="element-${i}-frontal-slot" @dragover=${dragOver} @dragleave=${dragLeave} @drop=${(e: DragEvent) => dropped(e, `element.${i}.frontal`, a)}>
      <span class="slot-label">${l10n.t('Front view')}</span>
      ${element.frontal_image
        ? imageCard(element.frontal_image, m.images[element.frontal_image], `element-${i}-frontal`, l10n.t('front view of element {0}', i + 1), () => a.setElement(i, { frontal_image: '' }))
        : html`<vscode-button id="element-${i}-frontal-choose" secondary icon="folder-opened" @click=${() => a.chooseImage(`element.${i}.frontal`)}>${l10n.t('Choose Front View…')}</vscode-button>`}
    </div>
    <div class="image-slot" id="element-${i}-refer-slot" @dragover=${dragOver} @dragleave=${dragLeave} @drop=${(e: DragEvent) => !referFull && dropped(e, `element.${i}.refer`, a)}>
      <span class="slot-label">${l10n.t('More views')} <span class="normal">${l10n.t('(1 to {0})', REFER_IMAGES_MAX)}</span></span>
      ${element.refer_images.map((ref, k) =>
        imageCard(ref, m.images[ref], `element-${i}-refer-${k}`, l10n.t('view {0} of element {1}', k + 1, i + 1), () =>
          a.setElement(i, { refer_images: element.refer_images.filter((_, j) => j !== k) }),
        ),
      )}
      ${referFull
        ? nothing
        : html`<vscode-button id="element-${i}-refer-choose" secondary icon="add" @click=${() => a.chooseImage(`element.${i}.refer`)}>${l10n.t('Add a View…')}</vscode-button>`}
    </div>
  `;
}
