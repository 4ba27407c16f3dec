import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatAmount } from '../../core/pricing/decimal';
import type { VideoOutcome } from '../../core/render/renderStoryboard';
import type { StoryboardPlan } from '../../core/render/storyboardPlan';
import { showError } from '../errors/showError';
import { ensureReady } from '../generate/ensureReady';
import { passMoneyGuards, type SpendQuestion } from '../generate/moneyGuard';
import type { GenerationServices } from '../generate/submitGeneration';
import { loadCore } from '../lazyCore';
import { loadFeatures } from '../lazyFeatures';
import type { ExtensionLog } from '../log/extensionLog';
import { Disposable } from '../util/dispose';
import type { StoryboardAnalyzer } from './storyboardAnalyzer';
import { errorText } from '../../core/text/errorText';
import { ensureTrusted } from '../trust/ensureTrusted';

export type RenderResult =
  /** Not rendered, and said why: Restricted Mode, no key, problems in the file. */
  | { kind: 'refused'; reason: string }
  /** The user did not accept the price (or the daily budget would be passed). */
  | { kind: 'cancelled'; question: string | undefined }
  /** Every video asked for is up to date (or waits on an unknown outcome): nothing created, nothing spent. */
  | { kind: 'nothing-to-do'; plan: StoryboardPlan }
  | { kind: 'rendered'; plan: StoryboardPlan; outcomes: VideoOutcome[] };

const CONCURRENCY = 4;

/**
 * Renders a storyboard, or some of its videos, through the same journal, money guards and Tasks view as every
 * other generation: checks it, prices what is not up to date, asks (always with the total when several videos
 * would be paid for), creates the tasks and waits for their videos, which land where docs/storyboard-format.md says.
 */
export class StoryboardRenderer extends Disposable {
  /** The money question's answer; a modal dialog unless set (API tests answer it: no dialog shows there). */
  ask: ((question: SpendQuestion) => Promise<boolean>) | undefined;
  /** Per storyboard, the render whose tasks are being created: a second one plans only after they are journaled. */
  private readonly creating = new Map<string, Promise<unknown>>();

  constructor(
    private readonly services: GenerationServices,
    private readonly analyzer: StoryboardAnalyzer,
    private readonly log: ExtensionLog,
  ) {
    super();
  }

  /** `force`: create anew the videos whose earlier create had an unknown outcome (the user accepted paying twice). */
  async render(uri: vscode.Uri, only?: readonly string[], options: { force?: boolean } = {}): Promise<RenderResult> {
    const name = vscode.workspace.asRelativePath(uri);
    if (!(await ensureTrusted(vscode.l10n.t('render {0}', name), { waitForAnswer: false }))) return { kind: 'refused', reason: 'Restricted Mode' };
    if (!(await ensureReady(this.services.backends))) return { kind: 'refused', reason: 'not ready to generate (no API key, or an unsafe klingStudio.baseUrl)' };

    // Two renders of one storyboard (a double click) must not both plan before either has journaled its tasks.
    const key = uri.fsPath;
    const previous = this.creating.get(key);
    let created!: () => void;
    const creates = new Promise<void>((resolve) => (created = resolve));
    const chained = (previous ?? Promise.resolve()).then(() => creates);
    this.creating.set(key, chained);
    void chained.then(() => this.creating.get(key) === chained && this.creating.delete(key));
    try {
      await previous;
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      // What is rendered is what is on disk, as the CLI would render it; its sidecars name this file.
      if (document?.isDirty && !(await document.save())) return { kind: 'refused', reason: `${name} could not be saved` };
      return await this.renderNow(uri, name, only, created, options.force === true);
    } finally {
      created();
    }
  }

  private async renderNow(uri: vscode.Uri, name: string, only: readonly string[] | undefined, created: () => void, force: boolean): Promise<RenderResult> {
    const core = loadCore();
    this.analyzer.invalidate();
    const checked = await this.analyzer.check(uri);
    const refusal = core.problemsRefusal(checked.outline, only);
    if (refusal) {
      void vscode.window
        .showErrorMessage(vscode.l10n.t('{0}: {1}', name, refusal), vscode.l10n.t('Show Problems'))
        .then((picked) => (picked ? vscode.commands.executeCommand('workbench.actions.view.problems') : undefined));
      return { kind: 'refused', reason: refusal };
    }
    const storyboard = checked.check.storyboard ?? checked.outline.renderable!;
    const backend = this.services.backends.current();
    const plan = await core.planStoryboard(storyboard, {
      storyboardPath: checked.storyboardPath,
      workspaceRoot: checked.workspaceRoot,
      only,
      journal: this.services.tasks.entries(),
      backend,
      // Forced only to create anew what got no answer; a video that is up to date stays so.
      force,
      knownElements: await core.readKnownElements(core.storyboardLocations(checked.storyboardPath, storyboard), backend),
    });
    const toRender = plan.videos.filter((v) => v.state.kind === 'to-render');
    const inFlight = plan.videos.filter((v) => v.state.kind === 'in-flight');
    const unknown = plan.videos.filter((v) => v.state.kind === 'unknown-outcome');
    if (unknown.length) {
      const again = vscode.l10n.t('Create Again (May Pay Twice)');
      const names = unknown.map((v) => v.name);
      void vscode.window
        .showWarningMessage(
          unknown.length === 1
            ? vscode.l10n.t("{0} ({1}): an earlier create got no answer, so a task may exist and be charged. Check the service's task list before creating it again.", names.join(', '), name)
            : vscode.l10n.t("{0} ({1}): an earlier create got no answer, so a task may exist and be charged. Check the service's task list before creating them again.", names.join(', '), name),
          vscode.l10n.t('Show Tasks'),
          again,
        )
        .then((picked) => {
          if (picked === again) return this.render(uri, names, { force: true });
          return picked ? vscode.commands.executeCommand('klingStudio.tasks.focus') : undefined;
        });
    }
    if (toRender.length === 0 && inFlight.length === 0) {
      // Records left beside the videos before the storyboard named a "metadata" folder move there.
      await core.adoptPlanRecords(plan).catch((error: unknown) => this.log.warn(`${name}: records not moved to the metadata folder: ${String(error)}`));
      if (!unknown.length) {
        void vscode.window.showInformationMessage(
          only?.length === 1
            ? vscode.l10n.t('Up to date: {0} is already rendered. Nothing to render, nothing spent.', only[0]!)
            : vscode.l10n.t('Up to date: everything in {0} is already rendered. Nothing to render, nothing spent.', name),
        );
      }
      return { kind: 'nothing-to-do', plan };
    }

    if (toRender.length) {
      let asked: string | undefined;
      const newElements = core.newElementsOf(plan).length;
      const allowed = await passMoneyGuards(
        {
          usd: plan.cost.usd,
          credits: formatAmount(plan.cost.credits),
          what: vscode.l10n.t('{0} of {1}', core.describeVideos(toRender, newElements), path.basename(uri.fsPath)),
          backend,
          detail: core.spendDetail(plan, toRender),
        },
        this.services.tasks.entries(),
        {
          // Several videos, several takes of one (each paid for), or a new element: always asked, with the total.
          alwaysConfirm: toRender.length > 1 || newElements > 0 || toRender.some((v) => v.takes.filter((t) => t.state.kind === 'to-render').length > 1),
          ask: async (question) => {
            asked = question.message;
            if (this.ask) return this.ask(question);
            const picked = await vscode.window.showInformationMessage(question.message, { modal: true, detail: question.detail }, question.go);
            return picked === question.go;
          },
        },
      );
      if (!allowed) return { kind: 'cancelled', question: asked };
    }

    const engine = await this.services.tasks.ensureEngine();
    const images = new core.ImageUploads({
      client: () => this.services.backends.clientFor(backend),
      workspaceRoot: checked.workspaceRoot,
      cache: this.services.backends.uploadCache(),
    });
    // One task per take: the notification counts takes, not videos.
    const expected = [...toRender, ...inFlight].reduce((n, v) => n + v.takes.filter((t) => t.state.kind === 'to-render' || t.state.kind === 'in-flight').length, 0);
    let started = 0;
    let report: ((message: string) => void) | undefined;
    let allCreated!: () => void;
    const creating = new Promise<void>((resolve) => (allCreated = resolve));
    await loadFeatures().extractStoryboardFrames(plan, this.log);
    const rendering = core.renderStoryboard(plan, {
      engine,
      backend,
      concurrency: CONCURRENCY,
      force,
      poster: loadFeatures().webviewPoster,
      extractFrame: loadFeatures().webviewFrame,
      upload: (file, field) => images.upload(file, field),
      onTask: () => {
        started++;
        report?.(vscode.l10n.t('{0} of {1} created; follow them in the Tasks view', started, expected));
        if (started < expected) return;
        created();
        allCreated();
      },
    });
    void rendering.finally(allCreated).catch(() => undefined);
    // The notification lasts while the tasks are being created (and shows any wait for a retry); the videos then
    // render in the Tasks view and above each video in the editor.
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Kling: rendering {0}', name) }, async (progress) => {
      report = (message) => progress.report({ message });
      report(expected === 1 ? vscode.l10n.t('creating 1 task…') : vscode.l10n.t('creating {0} tasks…', expected));
      const retries = this.services.backends.onDidRetry((notice) =>
        progress.report({
          message:
            notice.status === 429
              ? vscode.l10n.t('the service is limiting requests; trying again in {0} s', Math.ceil(notice.waitMs / 1000))
              : vscode.l10n.t('the service did not answer; trying again in {0} s', Math.ceil(notice.waitMs / 1000)),
        }),
      );
      await creating;
      retries.dispose();
    });

    let outcomes: VideoOutcome[];
    try {
      outcomes = await rendering;
    } catch (error) {
      void showError(error, { context: vscode.l10n.t('Could not render {0}', name) });
      return { kind: 'refused', reason: errorText(error) };
    }
    this.reportFailures(uri, name, outcomes);
    this.analyzer.invalidate();
    this.log.info(`${name}: ${outcomes.map((o) => `${o.name} ${o.kind}`).join(', ')}`);
    for (const outcome of outcomes) if (outcome.kind === 'saved' && outcome.web?.problem) this.log.warn(`${outcome.name}: ${outcome.web.problem}`);
    return { kind: 'rendered', plan, outcomes };
  }

  /**
   * Creates the service refused (a bad key, no credits) have no task to announce them: say so once, with the one
   * action that helps. Tasks that were created announce their own end (TaskNotifications).
   */
  private reportFailures(uri: vscode.Uri, name: string, outcomes: readonly VideoOutcome[]): void {
    const refused = outcomes.filter((o): o is Extract<VideoOutcome, { kind: 'failed' }> => o.kind === 'failed' && o.entry === undefined);
    if (!refused.length) return;
    const first = refused[0]!;
    const what = refused.length === 1 ? first.name : vscode.l10n.t('{0} videos ({1})', refused.length, refused.map((o) => o.name).join(', '));
    const error = Object.assign(new Error(first.message), { kind: first.error });
    void showError(error, { context: vscode.l10n.t('{0}: {1} not rendered', name, what), retry: () => vscode.commands.executeCommand('klingStudio.storyboard.render', uri) });
  }
}
