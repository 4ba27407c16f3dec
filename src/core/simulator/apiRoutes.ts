import { TASK_ID_PATTERN } from '../api/apiSchemas';
import { amountToNumber, formatAmount } from '../pricing/decimal';
import { createReferenceProblem } from './createReferences';
import type { Exchange } from './exchange';
import type { FileUploads } from './fileUploads';
import type { SimulatorContext } from './simulatorContext';
import type { ActiveFault } from './simulatorFaults';
import { taskBody } from './taskBody';
import { validateCreate } from './validateCreate';
import { videoLink, type VideoDownloads } from './videoDownloads';
import { errorText } from '../text/errorText';

/** A create body is a few kilobytes; anything near this is not a request the service would read. */
const CREATE_BODY_LIMIT = 1 << 20;
export const BILLING_URL = 'https://evolink.ai/dashboard/billing';

/** The `/v1` API: credits, create, task query. Auth and status faults are handled before these are called. */
export class ApiRoutes {
  constructor(
    private readonly ctx: SimulatorContext,
    private readonly videos: VideoDownloads,
    private readonly uploads: FileUploads,
  ) {}

  credits(ex: Exchange): void {
    const now = this.ctx.now();
    const remaining = amountToNumber(this.ctx.tasks.remaining(now));
    const used = amountToNumber(this.ctx.tasks.used(now));
    // decided: the key's ("token") balance and the account's ("user") are the same pot in the simulator.
    ex.json(200, {
      success: true,
      message: '',
      data: {
        user: { remaining_credits: remaining, used_credits: used },
        token: { remaining_credits: remaining, used_credits: used, unlimited_credits: false },
      },
    });
  }

  async create(ex: Exchange, fault: ActiveFault | undefined): Promise<void> {
    const body = await ex.readBody(CREATE_BODY_LIMIT);
    if (!body.ok) {
      if (body.reason === 'too-large') ex.error(413, { message: 'The request body is too large' });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.bytes.toString('utf8'));
    } catch (error) {
      ex.error(400, {
        message: `Malformed JSON body: ${errorText(error)}`,
        fallbackSuggestion: 'send a JSON object with Content-Type: application/json',
      });
      return;
    }
    const checked = validateCreate(json);
    if (!checked.ok) {
      ex.error(checked.status, checked.error);
      return;
    }
    // Before anything is charged: a frame the service cannot fetch or use, an element it does not know.
    const refused = createReferenceProblem(checked, this.ctx, this.uploads);
    if (refused) {
      ex.error(400, refused);
      return;
    }
    const now = this.ctx.now();
    const created = this.ctx.tasks.create(checked, now);
    if (!created.ok) {
      ex.error(402, {
        message: `Insufficient credits: this task costs ${formatAmount(created.price)} credits and ${formatAmount(created.remaining)} remain`,
        fallbackSuggestion: `top up your credits at ${BILLING_URL}`,
      });
      return;
    }
    const { task } = created;
    ex.taskId = task.id;
    // Answered only once the task is on disk: a client that holds its id must find it after a restart.
    await this.ctx.saveState();
    if (fault?.kind === 'lose-answer') {
      // The service did the work and charged for it; only the answer is lost (or replaced by a gateway's). A client
      // must not create again.
      if (fault.answer) ex.send(fault.answer.status, fault.answer.contentType, Buffer.from(fault.answer.body), fault.answer.headers);
      else ex.destroy();
      return;
    }
    ex.json(200, taskBody(task, this.ctx.tasks.phase(task, now)));
  }

  task(ex: Exchange, rawId: string): void {
    let id: string;
    try {
      id = decodeURIComponent(rawId);
    } catch {
      id = rawId;
    }
    if (!TASK_ID_PATTERN.test(id)) {
      ex.error(400, { message: "Invalid task ID format, must start with 'task-unified-'", param: 'task_id' });
      return;
    }
    ex.taskId = id;
    const task = this.ctx.tasks.get(id);
    if (!task) {
      ex.error(404, { message: `Task not found: ${id}` });
      return;
    }
    const phase = this.ctx.tasks.phase(task, this.ctx.now());
    const url = phase.status === 'completed' ? videoLink(this.ctx.baseUrl, task.id, this.videos.expiresAt(phase.atMs)) : undefined;
    ex.json(200, taskBody(task, phase, url));
  }
}
