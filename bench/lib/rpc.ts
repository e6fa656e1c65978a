/**
 * The harness's processes talk over Node's IPC channel: a child serves a typed API of async
 * methods and announces itself ready with some facts (its URL); the parent calls the methods.
 * Every process under test, baseline and load generator runs as such a child, so load is always
 * driven from a different process than the one measured.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What a child serves: methods taking one serializable argument and returning a promise. */
export type RpcApi = Record<string, (params: never) => Promise<unknown>>;

type ParentMessage = { kind: 'call'; id: number; method: string; params: unknown };
type ChildMessage =
  | { kind: 'ready'; info: unknown }
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; message: string };

function isParentMessage(message: unknown): message is ParentMessage {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'call';
}

function isChildMessage(message: unknown): message is ChildMessage {
  const kind = typeof message === 'object' && message !== null ? (message as { kind?: unknown }).kind : null;
  return kind === 'ready' || kind === 'result' || kind === 'error';
}

function send(message: ChildMessage): void {
  if (process.send === undefined) throw new Error('not started by the bench harness (no IPC channel)');
  process.send(message);
}

/**
 * In the child: serves `api` and tells the parent it is ready, with `info`. `stop` runs on SIGTERM,
 * SIGINT and when the parent goes away (no orphan servers after a crashed harness), then the child
 * exits.
 */
export function serveRpc(api: RpcApi, info: unknown, stop: () => Promise<void> = async () => {}): void {
  process.on('message', (message: unknown) => {
    if (!isParentMessage(message)) return;
    const method = api[message.method];
    if (method === undefined) {
      send({ kind: 'error', id: message.id, message: `no method ${message.method}` });
      return;
    }
    // The parent types `params` from this very API (see `Child.call`).
    method(message.params as never).then(
      (result) => send({ kind: 'result', id: message.id, result }),
      (error: unknown) =>
        send({
          kind: 'error',
          id: message.id,
          message: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    );
  });
  let stopping = false;
  const end = () => {
    if (stopping) return;
    stopping = true;
    stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', end);
  process.on('SIGINT', end);
  process.on('disconnect', end);
  send({ kind: 'ready', info });
}

export interface Child<Api extends RpcApi, Info> {
  readonly name: string;
  readonly pid: number;
  readonly info: Info;
  call<K extends keyof Api & string>(
    method: K,
    params: Parameters<Api[K]>[0],
  ): Promise<Awaited<ReturnType<Api[K]>>>;
  /** Resident set size now, bytes, read from /proc (no cooperation needed). */
  rssBytes(): Promise<number>;
  /** SIGTERM, then SIGKILL after a grace period; waits for the exit. */
  stop(): Promise<void>;
}

export interface StartChildOptions {
  /** Shown in errors and used for the log file name. */
  name: string;
  /** Path of the TypeScript entry, relative to the repository root. */
  script: string;
  env?: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Directory for the child's stdout/stderr. */
  logDir: string;
  /** @default 60_000 ms */
  readyTimeoutMs?: number;
}

export async function startChild<Api extends RpcApi, Info>(
  options: StartChildOptions,
): Promise<Child<Api, Info>> {
  const logPath = join(options.logDir, `${options.name}.log`);
  const log = openSync(logPath, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', '--expose-gc', ...(options.nodeArgs ?? []), options.script],
    {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', log, log, 'ipc'],
    },
  );
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const exited = once(child, 'exit');
  const failAll = (reason: string) => {
    for (const { reject } of pending.values()) reject(new Error(`${options.name}: ${reason}`));
    pending.clear();
  };
  child.on('exit', (code, signal) => failAll(`exited (${code ?? signal})`));

  const info = await new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${options.name} not ready in time; see ${logPath}`)),
      options.readyTimeoutMs ?? 60_000,
    );
    child.on('message', (message: unknown) => {
      if (!isChildMessage(message)) return;
      if (message.kind === 'ready') {
        clearTimeout(timer);
        resolve(message.info);
        return;
      }
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.kind === 'result') waiter?.resolve(message.result);
      else waiter?.reject(new Error(`${options.name}: ${message.message}`));
    });
    child.once('exit', async () => {
      clearTimeout(timer);
      const text = await readFile(logPath, 'utf8').catch(() => '');
      reject(new Error(`${options.name} exited before it was ready:\n${text.slice(-3_000)}`));
    });
  });

  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name} has no pid`);
  return {
    name: options.name,
    pid,
    // The child announces exactly this shape (see each child's `serveRpc` call).
    info: info as Info,
    call(method, params) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        // Results are what the child's method of that name returned.
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ kind: 'call', id, method, params } satisfies ParentMessage);
      });
    },
    rssBytes: () => rssOf(pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** VmRSS of a process, bytes. */
export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** CPU time a process has used so far (user + system, all threads), ms. */
export async function cpuTimeOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) are space-separated; utime and stime
  // are the 14th and 15th fields, in clock ticks (100 per second on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new Error(`no CPU times for process ${pid}`);
  return ticks * 10;
}
