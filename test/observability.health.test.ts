/**
 * Readiness against a real database: ready once migrated, not ready when the code knows a migration
 * the database lacks, when the database is gone, or when it does not answer in time.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/connection.js';
import { checkReadiness } from '../src/observability/health.js';
import {
  createTestDatabase,
  openTestDatabase,
  type TestDatabase,
  testDatabaseKinds,
} from './helpers/databases.js';

interface Journal {
  entries: { idx: number; tag: string; when: number }[];
}

const journal = JSON.parse(readFileSync('drizzle/meta/_journal.json', 'utf8')) as Journal;

describe.each(testDatabaseKinds())('checkReadiness on %s', (kind) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  const migrationsSchema = () => database.schema ?? 'drizzle';

  beforeAll(async () => {
    database = createTestDatabase(kind);
    handle = await openTestDatabase(database);
  });
  afterAll(async () => {
    await handle.close().catch(() => {});
    await database.drop();
  });

  it('is ready once every migration of the journal is applied', async () => {
    const report = await checkReadiness(handle.db, { migrationsSchema: migrationsSchema() });
    expect(report).toEqual({
      ready: true,
      database: { ok: true },
      migrations: {
        ok: true,
        applied: journal.entries.length,
        expected: journal.entries.length,
        missing: [],
      },
    });
  });

  it('is not ready while the database lacks a migration the code ships', async () => {
    const ahead: Journal = {
      entries: [...journal.entries, { idx: journal.entries.length, tag: '9999_future', when: Date.now() }],
    };
    const journalPath = join(mkdtempSync(join(tmpdir(), 'kg-journal-')), '_journal.json');
    writeFileSync(journalPath, JSON.stringify(ahead));
    const report = await checkReadiness(handle.db, { migrationsSchema: migrationsSchema(), journalPath });
    expect(report.ready).toBe(false);
    expect(report.migrations).toMatchObject({ ok: false, missing: ['9999_future'] });
  });

  it('is not ready when the migrations table is not where it is expected', async () => {
    const report = await checkReadiness(handle.db, { migrationsSchema: 'no_such_schema' });
    expect(report.ready).toBe(false);
    expect(report.database).toEqual({ ok: true });
    expect(report.migrations).toMatchObject({
      ok: false,
      error: expect.stringContaining('migrations table'),
    });
  });

  it('is not ready, without hanging, when the database does not answer', async () => {
    const silent = { execute: () => new Promise(() => {}) } as unknown as DatabaseHandle['db'];
    const report = await checkReadiness(silent, { timeoutMs: 50 });
    expect(report).toMatchObject({ ready: false, database: { ok: false, error: 'no answer within 50 ms' } });
  });

  it('is not ready once the database is closed', async () => {
    await handle.close();
    const report = await checkReadiness(handle.db, { migrationsSchema: migrationsSchema() });
    expect(report.ready).toBe(false);
    expect(report.database.ok).toBe(false);
  });
});
