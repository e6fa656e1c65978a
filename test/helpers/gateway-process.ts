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

export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => logs.push(line));
  }
  const exited = once(child, 'exit');
  const url = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`gateway exited early:\n${logs.join('\n')}`);
      const line = logs.find((entry) => entry.includes('"kling-graphql listening"'));
      return line === undefined ? undefined : (JSON.parse(line) as { url: string }).url;
    },
    { timeoutMs: 20_000, what: 'the gateway process to listen' },
  );
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, child, logs, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
