import type { ElementRequest } from '../api/apiSchemas';
import { elementClaimRef } from '../claims/claimStore';
import type { JournalEntry } from '../journal/taskState';
import { ELEMENT_PRICE } from '../pricing/priceTable';
import type { StoryboardElement } from '../storyboard/storyboardSchema';
import type { TaskEngine } from '../tasks/taskEngine';
import { recordElement } from './elementRegistry';
import { errorText } from '../text/errorText';

export interface EnsureElementOptions {
  engine: TaskEngine;
  backend: JournalEntry['backend'];
  /** Where the element is remembered and claimed: the storyboard's output folder, or the composer's. */
  outputDir: string;
  workspaceRoot?: string | undefined;
  /** The link to send for one of the element's images, as the element writes it (a local path is uploaded). */
  imageUrl: (reference: string) => Promise<string>;
  /** Ids already known for this backend, by definition hash; a new one is added. */
  known: Map<string, string>;
  signal?: AbortSignal | undefined;
  /** Create it even when its last create got no answer (the user forced it, after seeing the price). */
  force?: boolean | undefined;
  /** What the journal calls it: "element mascot". */
  label?: string | undefined;
}

export type EnsuredElement = { ok: true; elementId: string; created: boolean } | { ok: false; problem: string };

/**
 * The id of an element on this backend: the one already known for its definition, or a new one. A new element is
 * created under its claim beside the registry (docs/architecture.md, "Claims"): a process already making the same
 * element is waited for, never doubled. The new id is remembered in the registry (elementRegistry.ts). Its price (1
 * credit) must have been shown before this is called.
 */
export async function ensureElement(element: StoryboardElement, definitionHash: string, options: EnsureElementOptions): Promise<EnsuredElement> {
  const known = options.known.get(definitionHash);
  if (known) return { ok: true, elementId: known, created: false };
  let request: ElementRequest;
  try {
    request = {
      model: 'kling-custom-element',
      model_params: {
        element_name: element.name,
        element_description: element.description,
        reference_type: 'image_refer',
        element_image_list: {
          frontal_image: await options.imageUrl(element.frontal_image),
          refer_images: await Promise.all(element.refer_images.map(async (image) => ({ image_url: await options.imageUrl(image) }))),
        },
      },
    };
  } catch (error) {
    return { ok: false, problem: `the element "${element.name}" could not be created: ${errorText(error)}` };
  }
  let entry: JournalEntry;
  try {
    entry = await options.engine.submit(
      {
        kind: 'element',
        label: options.label ?? `element ${element.name}`,
        request,
        requestHash: `element:${definitionHash}`,
        price: { seconds: 0, usd: ELEMENT_PRICE.usd, credits: ELEMENT_PRICE.credits },
        backend: options.backend,
        elementName: element.name,
        claim: elementClaimRef(options.outputDir, definitionHash, options.backend),
        workspaceRoot: options.workspaceRoot,
      },
      { signal: options.signal, force: options.force },
    );
  } catch (error) {
    return { ok: false, problem: `the element "${element.name}" could not be created: ${errorText(error)}` };
  }
  const [ended] = await options.engine.waitFor([entry.id], options.signal);
  const state = ended?.state;
  if (state?.status !== 'completed' || !state.elementId) {
    const why = state?.status === 'failed' ? state.message : `it ended as ${state?.status ?? 'unknown'}`;
    return { ok: false, problem: `the element "${element.name}" could not be created: ${why}` };
  }
  options.known.set(definitionHash, state.elementId);
  await recordElement(
    options.outputDir,
    options.backend,
    definitionHash,
    { name: element.name, element_id: state.elementId, taskId: ended?.taskId, description: element.description },
    options.workspaceRoot,
  );
  return { ok: true, elementId: state.elementId, created: true };
}
