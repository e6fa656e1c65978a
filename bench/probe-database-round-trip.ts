/**
 * What one PostgreSQL round trip costs on this machine, through the driver the gateway uses
 * (node-postgres), with nothing else running: the floor under row 2's budget. A create must be
 * durable before the paid call and again after it, so it pays at least two commits on top of the
 * direct POST it is compared with.
 *
 * `npx tsx bench/probe-database-round-trip.ts [--samples=2000]`; BENCH_DATABASE_URL or DATABASE_URL.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { summarize } from './lib/stats.js';

const { values } = parseArgs({ options: { samples: { type: 'string' } } });
const samples = Number(values.samples ?? 2_000);
const client = new pg.Client({
  connectionString:
    process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
});
await client.connect();

/**
 * Wall time of each call of `work` (after as many warm-up calls), and the process's CPU per call;
 * with `gapMs`, the process idles that long before each call, as between paced requests.
 */
async function measure(work: (index: number) => Promise<unknown>, gapMs = 0) {
  for (let index = 0; index < samples; index++) await work(index);
  const latencies: number[] = [];
  let cpuMicros = 0;
  for (let index = 0; index < samples; index++) {
    if (gapMs > 0) await delay(gapMs);
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    await work(index);
    latencies.push(performance.now() - startedAt);
    const cpu = process.cpuUsage(cpuBefore);
    cpuMicros += cpu.user + cpu.system;
  }
  return { ...summarize(latencies), cpuMsPerCall: cpuMicros / 1_000 / samples };
}

const report = (what: string, figures: Awaited<ReturnType<typeof measure>>) =>
  console.log(
    `${what}: p50 ${figures.p50.toFixed(3)} ms, p99 ${figures.p99.toFixed(3)} ms, max ${figures.max.toFixed(1)} ms; Node CPU ${figures.cpuMsPerCall.toFixed(3)} ms per call (${figures.count} calls)`,
  );

try {
  // A table of its own, so each commit writes (and syncs) WAL as a create's does.
  await client.query(
    'create table if not exists kg_probe_commits (id bigserial primary key, at timestamptz)',
  );
  report('one statement (select $1)', await measure((index) => client.query('select $1::int', [index])));
  const durableCommit = async () => {
    await client.query('begin');
    await client.query('insert into kg_probe_commits (at) values (now())');
    await client.query('commit');
  };
  report('one durable commit (begin; insert; commit)', await measure(durableCommit));
  report('the same, one every 10 ms (100/s, as in row 2)', await measure(durableCommit, 10));
} finally {
  await client.query('drop table if exists kg_probe_commits');
  await client.end();
}
