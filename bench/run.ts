/**
 * `npm run bench` (quick pass) and `npm run bench:full`: starts the simulator, gateways and
 * baselines each in its own process, measures the eight rows of the benchmark table against
 * baselines measured in the same run, and writes BENCHMARKS.md.
 *
 * Options: --full; --quiet-wait=SECONDS (how long to wait for a quiet machine; quick 30, full
 * 600); --only=1,3 (rows; 3–5 run together; 1 and 2 each alone); --out=FILE (default BENCHMARKS.md);
 * --profile (write every process's CPU profile next to its log; read one with
 * `tsx bench/profile-summary.ts`); --refresh-findings (measure nothing: re-append bench/findings.md
 * to the report in --out).
 * Environment: BENCH_DATABASE_URL or DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineInfo, waitForQuiet } from './lib/environment.js';
import { FINDINGS_HEADING, type GroupStart, type RowReport, renderReport, verdict } from './lib/report.js';
import { type BenchContext, newAccount, PROFILES, stopEverything } from './lib/stack.js';
import { measureCallbackDelivery } from './scenarios/callback-delivery.js';
import { measureCrossInstance } from './scenarios/cross-instance.js';
import { measureFanOut } from './scenarios/fan-out.js';
import { measureQueryAndCreate } from './scenarios/query-and-create.js';
import { measureUpstreamRequests } from './scenarios/upstream-requests.js';

const QUIET_LOAD = 1.0;
/** Longest wait for a quiet machine between two groups of rows, s. */
const GROUP_QUIET_WAIT_S = 120;

const ROW_TITLES: Record<number, string> = {
  1: '`task(id)` query, full stack',
  2: '`createImageToVideoTask` latency added at 100 creates/s',
  3: 'fan-out over graphql-ws',
  4: 'memory per idle subscribed WebSocket',
  5: 'SSE vs WebSocket, same fan-out',
  6: 'provider callback → subscriber event',
  7: 'upstream requests per task',
  8: 'cross-instance delivery over PostgreSQL',
};

/** Groups of rows measured together, in the order they run: callbacks last (they may not be wired). */
const GROUPS: { rows: number[]; measure: (ctx: BenchContext) => Promise<RowReport[]> }[] = [
  { rows: [1, 2], measure: measureQueryAndCreate },
  { rows: [3, 4, 5], measure: measureFanOut },
  { rows: [8], measure: async (ctx) => [await measureCrossInstance(ctx)] },
  { rows: [7], measure: async (ctx) => [await measureUpstreamRequests(ctx)] },
  { rows: [6], measure: async (ctx) => [await measureCallbackDelivery(ctx)] },
];

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    'quiet-wait': { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string', default: 'BENCHMARKS.md' },
    profile: { type: 'boolean', default: false },
    'refresh-findings': { type: 'boolean', default: false },
  },
});

// Findings are written after the figures they discuss: this re-appends bench/findings.md to the
// report already in --out, leaving every measured figure as it was.
if (values['refresh-findings']) {
  const report = await readFile(values.out, 'utf8');
  const findings = await readFile(new URL('./findings.md', import.meta.url), 'utf8');
  const measured = report.split(`\n${FINDINGS_HEADING}\n`)[0]?.trimEnd() ?? report;
  await writeFile(values.out, `${measured}\n\n${FINDINGS_HEADING}\n\n${findings.trim()}\n`);
  process.exit(0);
}

const profile = values.full ? PROFILES.full : PROFILES.quick;
const quietWaitSeconds = Number(values['quiet-wait'] ?? (values.full ? 600 : 30));
const only = values.only ? new Set(values.only.split(',').map(Number)) : undefined;
const log = (message: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

const logDir = await mkdtemp(join(tmpdir(), 'kling-bench-'));
await mkdir(join(logDir, 'profiles'), { recursive: true });
const ctx: BenchContext = {
  profile,
  logDir,
  databaseUrl:
    process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  cpuProfile: values.profile,
  account: newAccount(),
  authSecret: randomBytes(32).toString('hex'),
  callbacksWired: undefined,
  wants: (row) => only === undefined || only.has(row),
  log,
};

log(`${profile.name} pass; process logs in ${logDir}`);
const quiet = await waitForQuiet(QUIET_LOAD, quietWaitSeconds, (load) =>
  log(`waiting for a quiet machine: load average ${load.toFixed(2)} (≥ ${QUIET_LOAD})`),
);
log(`measuring at load average ${quiet.loadAverage.toFixed(2)}${quiet.quiet ? '' : ' (not quiet)'}`);

const startedAt = new Date();
const reports: RowReport[] = [];
const groupStarts: GroupStart[] = [];
let failures = 0;
try {
  for (const group of GROUPS) {
    if (only && !group.rows.some((row) => only.has(row))) continue;
    // The group before leaves work behind (the database vacuuming what it wrote, processes
    // exiting), so in a full pass each group waits for a quiet machine too. The quick pass only
    // reports the load, to stay within its few minutes.
    const groupQuiet =
      groupStarts.length === 0
        ? quiet
        : await waitForQuiet(
            QUIET_LOAD,
            values.full ? Math.min(quietWaitSeconds, GROUP_QUIET_WAIT_S) : 0,
            () => {},
          );
    groupStarts.push({ rows: group.rows, ...groupQuiet });
    log(`rows ${group.rows.join(', ')} at load average ${groupQuiet.loadAverage.toFixed(2)}`);
    try {
      reports.push(...(await group.measure(ctx)));
    } catch (error) {
      failures += 1;
      const message = error instanceof Error ? error.message : String(error);
      log(`rows ${group.rows.join(', ')} failed: ${error instanceof Error ? error.stack : message}`);
      for (const row of group.rows) {
        reports.push({
          row,
          title: ROW_TITLES[row] ?? `row ${row}`,
          baseline: '—',
          checks: [],
          notes: [],
          notMeasured: `the harness failed: ${message.replace(/\s+/g, ' ').slice(0, 300)}`,
        });
      }
    }
  }
} finally {
  await stopEverything(ctx);
}

reports.sort((a, b) => a.row - b.row);
const findings = await readFile(new URL('./findings.md', import.meta.url), 'utf8').catch(() => undefined);
const extraArgs = process.argv.slice(2).filter((arg) => arg !== '--full');
const command = `npm run ${values.full ? 'bench:full' : 'bench'}${extraArgs.length > 0 ? ` -- ${extraArgs.join(' ')}` : ''}`;
const markdown = renderReport(
  {
    command,
    profile: profile.name,
    startedAt,
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine: machineInfo(),
    database: 'PostgreSQL (a fresh schema per run, dropped afterwards)',
    load: { ...quiet, threshold: QUIET_LOAD },
    groupStarts,
    loadAtEnd: loadavg()[0] ?? Number.NaN,
  },
  reports,
  findings,
);
await writeFile(values.out, markdown);
for (const row of reports) {
  for (const check of row.checks) {
    const result = verdict(check);
    log(`row ${row.row} ${check.what}: ${result.pass ? 'pass' : 'FAIL'}`);
  }
  if (row.notMeasured) log(`row ${row.row}: not measured (${row.notMeasured})`);
}
log(`wrote ${values.out}`);
process.exit(failures > 0 ? 1 : 0);
