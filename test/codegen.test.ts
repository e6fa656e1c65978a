/**
 * examples/generated/ is committed: this fails while it lags schema.graphql or
 * examples/operations/*.graphql, so a schema change that breaks a typed client shows in review.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect, it } from 'vitest';

it('examples/generated is up to date (run `npm run codegen` to refresh it)', async () => {
  // --check generates in memory, compares with the files on disk, writes nothing.
  const child = spawn(
    process.execPath,
    ['node_modules/.bin/graphql-codegen', '--config', 'codegen.ts', '--check'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  expect(code, output).toBe(0);
});
