/**
 * Waits for a condition instead of sleeping: polls `probe` until it returns a value that is not
 * undefined (or does not throw), failing with the last reason once the deadline passes.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitForOptions {
  /** @default 10_000 ms */
  timeoutMs?: number;
  /** @default 10 ms */
  intervalMs?: number;
  /** Said in the failure message. */
  what?: string;
}

export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  options: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastReason: unknown = 'condition never held';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastReason = error;
    }
    if (Date.now() > deadline) {
      const reason = lastReason instanceof Error ? lastReason.message : String(lastReason);
      throw new Error(`waitFor timed out${options.what ? ` waiting for ${options.what}` : ''}: ${reason}`);
    }
    await delay(options.intervalMs ?? 10);
  }
}
