/**
 * Every timer the simulator starts, so `stop()` can cancel them all. Timers are unref'd: a forgotten
 * simulator never keeps a test process or the gateway alive.
 */
export class TimerSet {
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;

  /** Runs `fn` after `ms`; returns a function that cancels it. Nothing runs after `clear()`. */
  after(ms: number, fn: () => void): () => void {
    if (this.#stopped) return () => {};
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.#timers.delete(timer);
    };
  }

  /** Resolves after `ms`; never resolves once the set is cleared (the socket waiting on it is closed). */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.after(ms, resolve);
    });
  }

  clear(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

/** A whole number of ms drawn uniformly from [min, max]. */
export function drawMs([min, max]: readonly [number, number]): number {
  return Math.round(min + Math.random() * Math.max(0, max - min));
}
