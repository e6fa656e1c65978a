/**
 * Callback delivery (kling-api.md 5): a POST of the bare task object, unsigned, to the task's
 * callback_url. Deliveries for one task go out in order; a failing receiver is logged and ignored.
 */
import { Agent, request } from 'undici';
import type { ResolvedOptions, SimulatorLogger } from './options.js';
import type { SimulatedWireTask } from './store.js';
import type { TimerSet } from './timers.js';

const DELIVERY_TIMEOUT_MS = 10_000;

export class CallbackSender {
  /** Our own pool, closed on stop, so keep-alive sockets to receivers never outlive the simulator. */
  readonly #agent = new Agent({ headersTimeout: DELIVERY_TIMEOUT_MS, bodyTimeout: DELIVERY_TIMEOUT_MS });
  readonly #abort = new AbortController();
  /** Per task, the tail of its delivery chain. */
  readonly #chains = new Map<string, Promise<void>>();

  constructor(
    private readonly options: ResolvedOptions['callbacks'],
    private readonly timers: TimerSet,
    private readonly logger: SimulatorLogger,
  ) {}

  /** Called on every status change with the task as it is now; sends per the callback options. */
  notify(url: string | undefined, task: SimulatedWireTask): void {
    if (url === undefined || !this.options.enabled) return;
    const terminal = task.task_status === 'succeed' || task.task_status === 'failed';
    if (this.options.statuses === 'terminal' && !terminal) return;
    const body = JSON.stringify(task);
    const enqueue = () => this.#enqueue(task.task_id, url, body);
    if (this.options.delayMs > 0) this.timers.after(this.options.delayMs, enqueue);
    else enqueue();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#agent.destroy().catch(() => {});
  }

  #enqueue(taskId: string, url: string, body: string): void {
    const copies = this.options.duplicate ? 2 : 1;
    const previous = this.#chains.get(taskId) ?? Promise.resolve();
    const next = previous.then(async () => {
      for (let copy = 0; copy < copies; copy += 1) await this.#deliver(url, body);
    });
    this.#chains.set(taskId, next);
    void next.then(() => {
      if (this.#chains.get(taskId) === next) this.#chains.delete(taskId);
    });
  }

  async #deliver(url: string, body: string): Promise<void> {
    if (this.#abort.signal.aborted) return;
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        dispatcher: this.#agent,
        signal: this.#abort.signal,
      });
      await response.body.dump();
      if (response.statusCode >= 300) {
        this.logger.warn(
          { to: originOf(url), statusCode: response.statusCode },
          'callback receiver answered an error',
        );
      }
    } catch (error) {
      if (!this.#abort.signal.aborted) {
        this.logger.warn({ to: originOf(url), err: error }, 'callback delivery failed');
      }
    }
  }
}

/** Callback paths often carry a per-task secret token: log where a callback went, not the token. */
function originOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : 'an invalid URL';
}
