/**
 * The typed-client example runs as a user runs it, in its own process, against a gateway whose
 * simulator moves tasks along by itself within a fraction of a second.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/test-app.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function runExample(graphqlUrl: string, args: string[] = []): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/submit-and-watch.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', GRAPHQL_URL: graphqlUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

const explain = (run: Run) => `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

describe('examples/submit-and-watch.ts', () => {
  let gateway: TestApp;
  beforeAll(async () => {
    gateway = await startTestApp({
      simulatorOptions: { timings: { submittedMs: [50, 100], processingMs: [100, 200] } },
    });
  });
  afterAll(() => gateway.stop());

  it('creates a storyboard task, shows each status, prints the video URL and exits 0', async () => {
    const run = await runExample(`${gateway.url}/graphql`);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toMatch(/Created storyboard task \S+ \(KLING_V3, PRO, 10 s\)/);
    const statuses = [...run.stdout.matchAll(/^\[\s*[\d.]+s\] (\w+)/gm)].map((match) => match[1]);
    expect(statuses.at(-1)).toBe('SUCCEEDED');
    expect(statuses).toEqual([...new Set(statuses)]);
    expect(run.stdout).toMatch(/^Video \([\d.]+ s\): https?:\/\/\S+\.mp4$/m);
  });

  it('exits 1 with the provider message when the task fails', async () => {
    const run = await runExample(`${gateway.url}/graphql`, ['--example', 'camera', '--prompt', 'sim:fail']);
    expect(run.code, explain(run)).toBe(1);
    expect(run.stdout).toMatch(/^\[\s*[\d.]+s\] FAILED/m);
    expect(run.stdout).toContain('Task failed (GENERATION_FAILED)');
  });

  it('exits 2 and lists every issue when the gateway refuses the input', async () => {
    const run = await runExample(`${gateway.url}/graphql`, [
      '--example',
      'voices',
      '--image',
      'ftp://x/y.png',
    ]);
    expect(run.code, explain(run)).toBe(2);
    expect(run.stderr).toContain('BAD_USER_INPUT');
    expect(run.stderr).toMatch(/input\.image: /);
  });
});
