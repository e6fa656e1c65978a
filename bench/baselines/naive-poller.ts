/**
 * Baseline for row 7: the integration a gateway replaces. It creates tasks straight at the
 * provider and reads each one every `intervalMs` until it is finished: one request per task per
 * interval, however many tasks are in flight.
 */
import { SignJWT } from 'jose';
import { Agent, request } from 'undici';
import { serveRpc } from '../lib/rpc.js';

export type NaivePollerApi = {
  run(params: {
    simulatorUrl: string;
    account: { accessKey: string; secretKey: string };
    /** The create body, sent once per task with its own external_task_id. */
    body: Record<string, unknown>;
    tasks: number;
    intervalMs: number;
  }): Promise<{ created: number; reads: number; finished: number; elapsedMs: number }>;
};

const TASKS_PATH = '/v1/videos/image2video';
const agent = new Agent({ connections: 64 });

async function bearer(account: { accessKey: string; secretKey: string }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(account.accessKey)
    .setExpirationTime(now + 1800)
    .setNotBefore(now - 5)
    .sign(new TextEncoder().encode(account.secretKey));
  return `Bearer ${jwt}`;
}

async function call(url: string, authorization: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await request(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    dispatcher: agent,
  });
  const envelope = (await response.body.json()) as { code: number; data?: Record<string, unknown> };
  if (envelope.code !== 0 || envelope.data === undefined) throw new Error(`Kling code ${envelope.code}`);
  return envelope.data;
}

serveRpc(
  {
    run: async ({ simulatorUrl, account, body, tasks, intervalMs }) => {
      const authorization = await bearer(account);
      const started = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < tasks; i += 32) {
        const batch = Array.from({ length: Math.min(32, tasks - i) }, (_, j) =>
          call(`${simulatorUrl}${TASKS_PATH}`, authorization, {
            ...body,
            external_task_id: `naive-${started}-${i + j}`,
          }),
        );
        for (const data of await Promise.all(batch)) ids.push(String(data.task_id));
      }
      let reads = 0;
      let finished = 0;
      // Each task on its own timer, read every interval until finished: the naive integration.
      await Promise.all(
        ids.map(async (id) => {
          for (;;) {
            await new Promise((resolve) => setTimeout(resolve, intervalMs));
            reads += 1;
            const data = await call(`${simulatorUrl}${TASKS_PATH}/${id}`, authorization);
            if (data.task_status === 'succeed' || data.task_status === 'failed') break;
          }
          finished += 1;
        }),
      );
      return { created: ids.length, reads, finished, elapsedMs: Date.now() - started };
    },
  } satisfies NaivePollerApi,
  {},
  () => agent.close(),
);
