/**
 * The machine a run happens on: what it is, whether it is quiet enough to measure, and the
 * PostgreSQL schema each run lives in.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { SignJWT } from 'jose';
import pg from 'pg';

export { dropSchema } from '../../test/helpers/databases.js';
export { freePort } from '../../test/helpers/free-port.js';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: release(),
  };
}

export interface QuietCheck {
  /** 1-minute load average when measuring began. */
  loadAverage: number;
  quiet: boolean;
  waitedSeconds: number;
}

/**
 * Waits until the 1-minute load average drops below `threshold`, polling every few seconds, for
 * at most `maxWaitSeconds`; then measures anyway and says so.
 */
export async function waitForQuiet(
  threshold: number,
  maxWaitSeconds: number,
  onWait: (load: number) => void,
): Promise<QuietCheck> {
  const started = Date.now();
  let lastReport = 0;
  for (;;) {
    const load = loadavg()[0] ?? 0;
    const waitedSeconds = Math.round((Date.now() - started) / 1000);
    if (load < threshold) return { loadAverage: load, quiet: true, waitedSeconds };
    if (waitedSeconds >= maxWaitSeconds) return { loadAverage: load, quiet: false, waitedSeconds };
    if (Date.now() - lastReport > 30_000) {
      onWait(load);
      lastReport = Date.now();
    }
    await delay(5_000);
  }
}

/** A fresh PostgreSQL schema name for one run; the gateway creates it, `dropSchema` removes it. */
export function newSchemaName(): string {
  return `kg_bench_${randomBytes(6).toString('hex')}`;
}

/** Tasks of the schema by status, read straight from the database. */
export async function countTasks(url: string, schema: string, statuses: readonly string[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>(
      `select count(*) from "${schema}".tasks where status = any($1)`,
      [statuses],
    );
    return Number(result.rows[0]?.count ?? 0);
  } finally {
    await client.end();
  }
}

/** A client's access token as an identity provider would issue it (HS256, `sub` = the tenant). */
export async function clientToken(secret: string, tenant: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(tenant)
    .setIssuedAt(now)
    .setExpirationTime(now + 4 * 3600)
    .sign(new TextEncoder().encode(secret));
}

/** Kling's bearer JWT for the simulator account (HS256, iss = access key). */
export async function klingToken(account: { accessKey: string; secretKey: string }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(account.accessKey)
    .setExpirationTime(now + 4 * 3600)
    .setNotBefore(now - 5)
    .sign(new TextEncoder().encode(account.secretKey));
}
