/**
 * An HTTP hop between the gateway and the Kling simulator for what the simulator cannot script:
 * its task list leaving tasks out, and a create's answer held back after the task was made (so a
 * test can crash the gateway exactly between the provider's create and the gateway's write).
 * Everything else passes through as the simulator answered it, failures included: a connection the
 * simulator drops is dropped here too, so its faults keep their meaning.
 */
import { once } from 'node:events';
import { Agent, createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListedTask {
  task_id: string;
}

export interface UpstreamProxy {
  /** The base URL to give the gateway in place of the simulator's. */
  readonly url: string;
  /** From now on, list pages leave out the tasks `omit` picks; `undefined` stops it. */
  omitFromLists(omit: ((task: ListedTask) => boolean) | undefined): void;
  /** Tasks left out of list pages so far. */
  readonly omitted: number;
  /**
   * Holds back the answers to the next `count` creates the simulator accepts: each task exists
   * upstream, its answer waits here until `releaseHeld`, or is lost with its client.
   */
  holdCreateAnswers(count: number): void;
  /** Create answers held back so far. */
  readonly held: number;
  /** Sends the held answers on (to clients still there) and holds nothing more. */
  releaseHeld(): void;
  stop(): Promise<void>;
}

const TASKS_PATH = /\/v1\/videos\/image2video$/;

function isCreate(req: IncomingMessage): boolean {
  return req.method === 'POST' && TASKS_PATH.test(new URL(req.url ?? '/', 'http://proxy.invalid').pathname);
}

function isListRead(req: IncomingMessage): boolean {
  const url = new URL(req.url ?? '/', 'http://proxy.invalid');
  return req.method === 'GET' && TASKS_PATH.test(url.pathname) && !url.searchParams.get('external_task_id');
}

export async function startUpstreamProxy(target: string): Promise<UpstreamProxy> {
  const targetUrl = new URL(target);
  const prefix = targetUrl.pathname.replace(/\/+$/, '');
  const agent = new Agent({ keepAlive: true });
  let omit: ((task: ListedTask) => boolean) | undefined;
  let omitted = 0;
  let holdsLeft = 0;
  let heldSoFar = 0;
  const held: (() => void)[] = [];

  const server = createServer((req, res) => {
    const upstream = request(
      {
        hostname: targetUrl.hostname,
        port: targetUrl.port,
        path: `${prefix}${req.url ?? '/'}`,
        method: req.method,
        headers: { ...req.headers, host: targetUrl.host },
        agent,
      },
      (answer) => {
        answer.on('aborted', () => res.destroy());
        const filter = omit;
        if (holdsLeft > 0 && isCreate(req) && answer.statusCode === 200) {
          holdsLeft -= 1;
          heldSoFar += 1;
          answer.pause();
          held.push(() => {
            // The client is gone (a crashed gateway): the answer is lost, as the test meant.
            if (res.destroyed) return;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          });
          return;
        }
        if (filter === undefined || !isListRead(req)) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = leaveOut(Buffer.concat(chunks).toString('utf8'), filter, () => {
            omitted += 1;
          });
          res.writeHead(answer.statusCode ?? 502, {
            ...answer.headers,
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
        });
      },
    );
    // The simulator dropped the connection (or was stopped): so does the proxy.
    upstream.on('error', () => res.destroy());
    // The gateway gave up (its timeout): stop waiting for the simulator.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    omitFromLists(next) {
      omit = next;
    },
    get omitted() {
      return omitted;
    },
    holdCreateAnswers(count) {
      holdsLeft += count;
    },
    get held() {
      return heldSoFar;
    },
    releaseHeld() {
      holdsLeft = 0;
      for (const release of held.splice(0)) release();
    },
    async stop() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The list envelope without the omitted tasks; anything that is not a list envelope as it was. */
function leaveOut(text: string, omit: (task: ListedTask) => boolean, counted: () => void): string {
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof envelope !== 'object' || envelope === null || !('data' in envelope)) return text;
  const { data } = envelope;
  if (!Array.isArray(data)) return text;
  const kept = data.filter((task: ListedTask) => {
    const drop = omit(task);
    if (drop) counted();
    return !drop;
  });
  return JSON.stringify({ ...envelope, data: kept });
}
