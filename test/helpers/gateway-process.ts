/**
 * A gateway in a separate process, started the way production starts it (`src/main.ts` with an
 * environment), for tests that need real processes: several instances, or a kill -9.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { waitFor } from './wait-for.js';

export interface GatewayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Every log line printed so far (JSON text). */
  readonly logs: string[];
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL: no cleanup of any kind, as in a crash. */
  kill(): Promise<void>;
}

/** A gateway process that may still be starting: `listening` resolves with its URL. */
export interface StartingGatewayProcess extends Omit<GatewayProcess, 'url'> {
  /** Rejects when the process exits (or is killed) before it listens. */
  readonly listening: Promise<string>;
  /** Whether the process has exited. */
  readonly exited: boolean;
}

/** Spawns the gateway and returns at once, so a test can also kill it while it starts. */
export function spawnGatewayProcess(env: Record<string, string>): StartingGatewayProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => logs.push(line));
  }
  const exited = once(child, 'exit');
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const listening = waitFor(
    () => {
      if (hasExited()) throw new Error(`gateway exited before listening:\n${logs.join('\n')}`);
      const line = logs.find((entry) => entry.includes('"kling-graphql listening"'));
      return line === undefined ? undefined : (JSON.parse(line) as { url: string }).url;
    },
    { timeoutMs: 30_000, what: 'the gateway process to listen' },
  );
  // Observed by whoever awaits it; a process killed while starting never listens.
  listening.catch(() => {});
  const end = async (signal: NodeJS.Signals) => {
    if (!hasExited()) child.kill(signal);
    await exited;
  };
  return {
    child,
    logs,
    listening,
    get exited() {
      return hasExited();
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}

export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const starting = spawnGatewayProcess(env);
  const url = await starting.listening;
  return { url, child: starting.child, logs: starting.logs, stop: starting.stop, kill: starting.kill };
}
