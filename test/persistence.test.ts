import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IMAGE_URL } from './fixtures/images.js';
import { createTestDatabase, testDatabaseKinds } from './helpers/databases.js';
import { createTask, readTask } from './helpers/tasks.js';
import { startTestApp } from './helpers/test-app.js';

describe.each(testDatabaseKinds())('tasks survive a restart (%s)', (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('serves the same task, events and ids from a new process on the same database', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kg-persist-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const database = createTestDatabase(kind, dataDir);
    cleanups.push(() => database.drop());

    const first = await startTestApp({ database });
    cleanups.push(() => first.simulator.stop());
    const created = await createTask(first.client, {
      image: IMAGE_URL,
      prompt: 'remember me',
      watermark: true,
    });
    await first.stopGateway();

    const second = await startTestApp({ database, simulator: first.simulator });
    cleanups.push(() => second.stopGateway());
    const reread = await readTask(second.client, created.id);
    expect(reread).toMatchObject({
      id: created.id,
      status: 'SUBMITTED',
      externalTaskId: created.externalTaskId,
      providerTaskId: created.providerTaskId,
      prompt: 'remember me',
    });
    expect(reread?.events).toEqual(created.events);
  });
});
