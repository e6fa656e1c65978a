/**
 * Statements named after their text: PostgreSQL parses and plans each parameterized statement once
 * per connection, never confuses two texts, and stops preparing new texts past a cap.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { StatementNames, statementNamingClient } from '../src/db/statement-names.js';

describe('statement names', () => {
  it('gives one text one name, and different texts different names', () => {
    const names = new StatementNames();
    const first = names.nameFor('select $1::int');
    expect(first).toBeDefined();
    expect(names.nameFor('select $1::int')).toBe(first);
    expect(names.nameFor('select $1::text')).not.toBe(first);
  });

  it('names no new text past its capacity, and keeps the names already given', () => {
    const names = new StatementNames(2);
    const first = names.nameFor('select $1::int');
    names.nameFor('select $1::text');
    expect(names.nameFor('select $1::bigint')).toBeUndefined();
    expect(names.nameFor('select $1::int')).toBe(first);
  });
});

describe.skipIf(process.env.DATABASE_URL === undefined)('statement names on PostgreSQL', () => {
  async function withOneConnection<T>(names: StatementNames, use: (client: pg.PoolClient) => Promise<T>) {
    const pool = new pg.Pool({
      connectionString: process.env.DATABASE_URL,
      Client: statementNamingClient(names),
    });
    const client = await pool.connect();
    try {
      return await use(client);
    } finally {
      client.release();
      await pool.end();
    }
  }

  const preparedTexts = async (client: pg.PoolClient): Promise<string[]> =>
    (await client.query<{ statement: string }>('select statement from pg_prepared_statements')).rows.map(
      (row) => row.statement,
    );

  it('prepares a parameterized statement once per connection and runs it by name after', async () => {
    const names = new StatementNames();
    const text = 'select $1::int + 1 as next';
    await withOneConnection(names, async (client) => {
      expect((await client.query(text, [1])).rows).toEqual([{ next: 2 }]);
      expect((await client.query({ text, values: [41] })).rows).toEqual([{ next: 42 }]);
      expect(await preparedTexts(client)).toEqual([text]);
    });
  });

  it('leaves statements without parameters, and texts past the cap, unprepared', async () => {
    const names = new StatementNames(1);
    await withOneConnection(names, async (client) => {
      await client.query('select 1');
      await client.query('select $1::int', [1]);
      expect((await client.query('select $1::text as word', ['past the cap'])).rows).toEqual([
        { word: 'past the cap' },
      ]);
      expect(await preparedTexts(client)).toEqual(['select $1::int']);
    });
  });
});
