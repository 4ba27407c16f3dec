import * as path from 'node:path';
import * as vscode from 'vscode';
import { VideoRequest } from '../../core/api/apiSchemas';
import { resolveComposerElements, type ResolvedElement } from '../../core/composer/composerElements';
import { checkDraft, chosenFileName, composerSpec, draftLocalImages, isImageUrl, type ComposerDraft, type DraftContext, type ImageVerdict } from '../../core/composer/composerForm';
import type { ElementUse } from '../../core/elements/elementUse';
import { ensureElement } from '../../core/elements/ensureElement';
import { checkInsideRoot } from '../../core/fs/workspaceBoundary';
import { workspaceRelative } from '../../core/fs/workspaceRelative';
import { checkImageFile } from '../../core/images/imageCheck';
import { formatAmount } from '../../core/pricing/decimal';
import { buildVideoRequest } from '../../core/request/buildRequest';
import { outgoingLines } from '../../core/request/outgoingLines';
import { requestHash } from '../../core/request/requestHash';
import type { UploadRecord } from '../../core/uploads/uploadRecord';
import { showError } from '../errors/showError';
import { adHocOutputDir, adHocOutputPath, adHocWorkspaceRoot, labelOf } from '../generate/adHocOutput';
import { ensureReady } from '../generate/ensureReady';
import { passMoneyGuards, type GuardOptions } from '../generate/moneyGuard';
import type { GenerationServices } from '../generate/submitGeneration';
import { loadCore } from '../lazyCore';
import { submitConfirmedTakes } from '../takes/submitTakes';
import type { ExtensionLog } from '../log/extensionLog';
import { imagesRoot } from './composerImages';
import { makeWebReadyOnceSaved } from './composerWebReady';
import { errorText } from '../../core/text/errorText';

/**
 * What only the host can tell about a draft: each local image's verdict (the service's rules, checked on the file as
 * it is now) and, for each element, whether it must be created on the backend in use (and any problem with it).
 */
export async function draftContext(draft: ComposerDraft, services: GenerationServices): Promise<{ context: DraftContext; elements: ResolvedElement[] | undefined }> {
  const root = imagesRoot();
  const images: Record<string, ImageVerdict> = {};
  for (const ref of draftLocalImages(draft)) {
    if (!root) {
      images[ref] = { ok: false, problem: 'Open a folder first: images are used from inside the workspace.' };
      continue;
    }
    const absolute = path.resolve(root, ...ref.split('/'));
    const inside = await checkInsideRoot(absolute, root);
    if (!inside.inside) {
      images[ref] = { ok: false, problem: `${ref} leads outside the workspace (${inside.reason}).` };
      continue;
    }
    const checked = await checkImageFile(inside.realPath, ref);
    images[ref] = checked.ok ? { ok: true, ...checked.image } : { ok: false, problem: `${checked.problem}.` };
  }
  const elementProblems: Array<string | undefined> = [];
  const newElements: boolean[] = [];
  const resolved: ResolvedElement[] = [];
  if (draft.elements.length > 0) {
    if (!root) return { context: { images, elementProblems: draft.elements.map(() => 'Open a folder first: elements are kept with the workspace.') }, elements: undefined };
    const backend = services.backends.current();
    for (const element of draft.elements) {
      const one = await resolveComposerElements([element], { workspaceRoot: root, composerOutputDir: adHocOutputDir(services), backend });
      if (!one.ok) {
        elementProblems.push(one.problem);
        newElements.push(element.kind === 'new');
        continue;
      }
      const found = one.elements[0]!;
      resolved.push(found);
      elementProblems.push(undefined);
      newElements.push(found.kind === 'defined' && found.elementId === undefined);
    }
  }
  const ok = elementProblems.every((p) => p === undefined);
  return { context: { images, newElements, elementProblems }, elements: ok ? resolved : undefined };
}

export interface ComposerGenerateDeps extends GenerationServices {
  log: ExtensionLog;
  /** Puts the price question; a modal dialog unless given (see GuardOptions.ask). */
  ask?: GuardOptions['ask'];
}

/**
 * Generate from the composer: the form checked again here (the page is untrusted), the price of the video and of
 * each element to create shown (always asked when an element is to be paid for), then — only then — the images
 * uploaded (reused while their links last), the new elements made once (under their claims, remembered for reuse),
 * and the video created. Returns the task's label, or undefined when it did not go ahead (and the user was told why).
 */
export async function generateFromComposer(draft: ComposerDraft, deps: ComposerGenerateDeps, retry: () => unknown): Promise<{ label: string } | undefined> {
  const { context, elements } = await draftContext(draft, deps);
  const check = checkDraft(draft, context);
  if (!check.video || !check.request || !check.total) {
    const first = Object.entries(check.problems)[0];
    deps.log.warn(`composer: refused to generate from a form that is not valid (${first ? `${first[0]}: ${first[1]}` : 'no request'})`);
    if (first) void vscode.window.showWarningMessage(vscode.l10n.t('Not generated: {0}', String(first[1])));
    return undefined;
  }
  if (!(await ensureReady(deps.backends))) return undefined;
  const spec = composerSpec(check.video);
  const backend = deps.backends.current();
  const root = imagesRoot();
  const toCreate = (elements ?? []).filter((e): e is Extract<ResolvedElement, { kind: 'defined' }> => e.kind === 'defined' && e.elementId === undefined);

  // What leaves this machine, listed before it is paid for: the frames, the images of elements to create.
  const lines: string[] = [];
  if (toCreate.length) lines.push(`${toCreate.length === 1 ? 'A new element' : `${toCreate.length} new elements`} (${toCreate.map((e) => e.name).join(', ')}): 1 credit each, made once and reused after.`);
  const sent = outgoingLines({
    images: [
      ...(spec.image ? [{ reference: spec.image, uploaded: !isImageUrl(spec.image), uses: [{ role: 'first frame' as const, owners: [] }] }] : []),
      ...(spec.end_image ? [{ reference: spec.end_image, uploaded: !isImageUrl(spec.end_image), uses: [{ role: 'last frame' as const, owners: [] }] }] : []),
      ...toCreate.flatMap((e) =>
        [e.element.frontal_image, ...e.element.refer_images].map((image, i) => ({
          reference: isImageUrl(image) ? image : path.relative(root ?? e.base, path.resolve(e.base, image)).split(path.sep).join('/'),
          uploaded: !isImageUrl(image),
          uses: [{ role: i === 0 ? ('front image' as const) : ('reference image' as const), owners: [`element "${e.name}"`] }],
        })),
      ),
    ],
    callbacks: spec.callback_url ? [{ url: spec.callback_url, videos: [] }] : [],
  });
  if (sent.length) lines.push(...(lines.length ? [''] : []), ...sent);
  const video = spec.image ? vscode.l10n.t('a {0} s image-to-video video', spec.duration) : vscode.l10n.t('a {0} s video', spec.duration);
  // Variants: every take is a task of its own, each paid for; the price asked is all of them (check.total).
  const takes = check.takes;
  if (takes > 1) lines.unshift(vscode.l10n.t('{0} tasks of the same request, each a take to compare and choose from; each is paid for.', takes), ...(lines.length ? [''] : []));
  const takesOf = takes > 1 ? vscode.l10n.t('{0} takes of {1}', takes, video) : video;
  const what = !toCreate.length
    ? takesOf
    : toCreate.length === 1
      ? vscode.l10n.t('{0} and 1 new element', takesOf)
      : vscode.l10n.t('{0} and {1} new elements', takesOf, toCreate.length);
  const allowed = await passMoneyGuards(
    { usd: check.total.usd, credits: formatAmount(check.total.credits), what, backend, detail: lines.join('\n') || undefined },
    deps.tasks.entries(),
    { alwaysConfirm: toCreate.length > 0 || takes > 1, ask: deps.ask },
  );
  if (!allowed) return undefined;

  const core = loadCore();
  try {
    const images = root
      ? new core.ImageUploads({ client: () => deps.backends.clientFor(backend), workspaceRoot: root, cache: deps.backends.uploadCache() })
      : undefined;
    const upload = async (absolutePath: string, field: string) => {
      if (!images) throw new Error('Open a folder first: images are used from inside the workspace.');
      return images.upload(absolutePath, field);
    };
    // Elements first: the video names their ids.
    const ids = new Map<string, string>();
    const uses: ElementUse[] = [];
    const engine = toCreate.length ? await deps.tasks.ensureEngine() : undefined;
    for (const element of elements ?? []) {
      if (element.kind === 'existing') {
        ids.set(element.name, element.elementId);
        continue;
      }
      let id = element.elementId;
      if (id === undefined) {
        const known = new Map<string, string>();
        const made = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Kling: making the element "{0}"', element.name) }, () =>
          ensureElement(element.element, element.definitionHash, {
            engine: engine!,
            backend,
            outputDir: element.outputDir,
            workspaceRoot: root,
            known,
            imageUrl: async (reference) => (isImageUrl(reference) ? reference : (await upload(path.resolve(element.base, reference), 'element image')).url),
          }),
        );
        if (!made.ok) {
          void vscode.window.showErrorMessage(vscode.l10n.t('Not generated: {0}.', made.problem));
          return undefined;
        }
        id = made.elementId;
      }
      ids.set(element.name, id);
    }
    const records: UploadRecord[] = [];
    const urls = new Map<string, string>();
    for (const [field, ref] of [['image_start', spec.image], ['image_end', spec.end_image]] as const) {
      if (!ref || isImageUrl(ref)) continue;
      const { reused: _reused, ...record } = await upload(path.resolve(root!, ...ref.split('/')), field);
      urls.set(ref, record.url);
      records.push(record);
    }
    const request = buildVideoRequest(spec, {
      image: (ref) => urls.get(ref)!,
      element: (name) => {
        const id = ids.get(name)!;
        const resolved = elements?.find((e) => e.name === name);
        const defined = resolved?.kind === 'defined' ? resolved : undefined;
        const frontal = defined && !isImageUrl(defined.element.frontal_image) && root ? workspaceRelative(root, path.resolve(defined.base, defined.element.frontal_image)) : undefined;
        uses.push({
          name,
          element_id: id,
          ...(defined ? { description: defined.element.description } : resolved?.kind === 'existing' && resolved.description ? { description: resolved.description } : {}),
          ...(frontal ? { frontal_image: frontal } : {}),
        });
        return id;
      },
    });
    const checked = VideoRequest.safeParse(request);
    if (!checked.success) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Not generated: {0}.', checked.error.issues[0]?.message ?? vscode.l10n.t('the request is not valid')));
      return undefined;
    }
    // Hashed as storyboards hash their videos: local images by content, elements by definition.
    const hashed = buildVideoRequest(spec, {
      image: (ref) => `local:${records.find((r) => urls.get(ref) === r.url)?.sha256 ?? ref}`,
      element: (name) => {
        const resolved = elements?.find((e) => e.name === name);
        return resolved?.kind === 'defined' ? `element:${resolved.definitionHash}` : ids.get(name)!;
      },
    });
    const name = spec.prompt || (Array.isArray(spec.shots) ? spec.shots[0]?.prompt.trim() : undefined) || (spec.image ? 'Image to video' : 'Multi-shot video');
    const price = check.price!;
    const entries = await submitConfirmedTakes(
      deps,
      {
        kind: 'video',
        label: labelOf(name),
        request: checked.data,
        requestHash: requestHash(hashed),
        price: { seconds: price.seconds, usd: formatAmount(price.usd), credits: formatAmount(price.credits) },
        backend,
        outputPath: adHocOutputPath(name, deps, new Date(), chosenFileName(draft)),
        workspaceRoot: adHocWorkspaceRoot(deps),
        uploads: records.length ? records : undefined,
        elements: uses.length ? uses : undefined,
      },
      takes,
      { what: video, retry },
    );
    if (draft.web && entries.length) {
      void makeWebReadyOnceSaved(deps.tasks, entries, deps.log).catch((error: unknown) => deps.log.error(`composer: could not make the video web-ready: ${errorText(error)}`));
    }
    const entry = entries[0];
    return entry ? { label: entry.label } : undefined;
  } catch (error) {
    deps.log.error(`composer: could not generate: ${errorText(error)}`);
    void showError(error, { context: 'Could not generate' });
    return undefined;
  }
}
