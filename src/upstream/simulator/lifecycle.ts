/**
 * A task's life: submitted → processing → succeed | failed, on timers or by hand. Forward only;
 * every change stamps updated_at and notifies the callback URL.
 */
import { MODEL_CAPABILITIES } from '../capabilities.js';
import type { WireTaskStatus } from '../wire.js';
import type { CallbackSender } from './callbacks.js';
import { MODERATION_FAILURE_MESSAGE, type ResolvedOptions } from './options.js';
import { type TaskRecord, type TaskStore, toWireTask } from './store.js';
import { drawMs, type TimerSet } from './timers.js';

export type AdvanceTarget = 'processing' | 'succeed' | 'failed';

const RANK: Record<WireTaskStatus, number> = { submitted: 0, processing: 1, succeed: 2, failed: 2 };

interface LifecycleDeps {
  options: ResolvedOptions;
  timers: TimerSet;
  callbacks: CallbackSender;
  newId: () => string;
  /** Where every status change is recorded. */
  store: Pick<TaskStore, 'setStatus'>;
  /** Where result files are served; known once the server listens. */
  origin: () => string;
}

export class Lifecycle {
  /** Per task, the cancel function of its pending automatic step. */
  readonly #pending = new Map<string, () => void>();

  constructor(private readonly deps: LifecycleDeps) {}

  /** A task was just created as `submitted`. */
  start(task: TaskRecord): void {
    this.deps.callbacks.notify(task.callbackUrl, toWireTask(task));
    this.#schedule(task);
  }

  /** A manual step; throws on an unknown task or a step that is not forward. */
  advance(task: TaskRecord, to: AdvanceTarget, message?: string): void {
    if (RANK[to] <= RANK[task.status]) {
      throw new Error(`task ${task.taskId} cannot move from ${task.status} to ${to}`);
    }
    this.#pending.get(task.taskId)?.();
    this.#pending.delete(task.taskId);
    this.#apply(task, to, message ?? MODERATION_FAILURE_MESSAGE);
  }

  #schedule(task: TaskRecord): void {
    const { timings } = this.deps.options;
    if (timings === 'manual' || RANK[task.status] === 2) return;
    const ranges = timings(task.summary);
    const ms = drawMs(task.status === 'submitted' ? ranges.submittedMs : ranges.processingMs);
    const cancel = this.deps.timers.after(ms, () => {
      this.#pending.delete(task.taskId);
      if (task.status === 'submitted') {
        this.#apply(task, 'processing', '');
        return;
      }
      const outcome = this.deps.options.outcome(task.body);
      this.#apply(task, outcome.status, outcome.status === 'failed' ? outcome.message : '');
    });
    this.#pending.set(task.taskId, cancel);
  }

  #apply(task: TaskRecord, to: AdvanceTarget, failureMessage: string): void {
    this.deps.store.setStatus(task, to);
    // Strictly increasing, so (status, updated_at) orders every change even within one ms.
    task.updatedAt = Math.max(Date.now(), task.updatedAt + 1);
    if (to === 'failed') task.statusMsg = failureMessage;
    if (to === 'succeed') this.#produceResult(task);
    this.deps.callbacks.notify(task.callbackUrl, toWireTask(task));
    this.#schedule(task);
  }

  #produceResult(task: TaskRecord): void {
    const id = this.deps.newId();
    const base = `${this.deps.origin()}/videos/${id}`;
    task.videos = [
      {
        id,
        url: `${base}.mp4`,
        ...(task.summary.watermark ? { watermark_url: `${base}-wm.mp4` } : {}),
        // Real clips run a few ms past the requested length: "5.041".
        duration: (task.summary.duration + 0.02 + Math.random() * 0.05).toFixed(3),
      },
    ];
    task.finalUnitDeduction = unitsFor(task);
  }
}

/** Observed: std 5 s = 1.5 units, pro 5 s = 2.5; scaled by length. Mode-less models priced as pro. */
function unitsFor(task: TaskRecord): string {
  const hasModes = MODEL_CAPABILITIES[task.summary.model].modes.length > 0;
  const perFiveSeconds = hasModes && task.summary.mode === 'std' ? 1.5 : 2.5;
  return String(Number(((perFiveSeconds * task.summary.duration) / 5).toFixed(2)));
}
