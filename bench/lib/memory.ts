/** Memory of a benchmark server process, read the same way in the gateway and in the baselines. */

export interface MemoryReading {
  rssBytes: number;
  heapUsedBytes: number;
}

export function collectGarbage(): void {
  // --expose-gc is set by the harness for every child.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

/** Memory after a full garbage collection. */
export function memoryAfterGc(): MemoryReading {
  collectGarbage();
  const usage = process.memoryUsage();
  return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed };
}
