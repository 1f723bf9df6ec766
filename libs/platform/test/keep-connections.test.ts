import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepConnectionsOnQueryErrors } from '../src/database/keep-connections';

// One connection in the pool, so "the same connection" is "the same backend pid".
describe('pool.query keeping its connection', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let admin: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = keepConnectionsOnQueryErrors(new pg.Pool({ connectionString: database.url, max: 1 }));
    // The terminated connection may die idle in the pool, which reports it as an 'error' event.
    pool.on('error', () => undefined);
    admin = new pg.Pool({ connectionString: database.url, max: 1 });
    await pool.query('CREATE TABLE kept (id text PRIMARY KEY)');
  });
  afterAll(async () => {
    await pool?.end();
    await admin?.end();
    await database?.drop();
  });

  const backend = async () => (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

  it.each([
    ['a unique violation', () => pool.query('INSERT INTO kept VALUES ($1), ($1)', ['a']), '23505'],
    ['a value that does not cast', () => pool.query('SELECT $1::int', ['not a number']), '22P02'],
    [
      'a named statement that fails',
      () => pool.query({ name: 'kept_fail', text: 'SELECT 1 / $1::int', values: [0] }),
      '22012',
    ],
    ['a syntax error', () => pool.query('SELEC $1', [1]), '42601'],
  ])('keeps the connection after %s', async (_case, fail, code) => {
    const before = await backend();
    await expect(fail()).rejects.toMatchObject({ code });
    expect(await backend()).toBe(before);
    // The session is usable, not left in an aborted state.
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('keeps what was prepared on the connection', async () => {
    const named = { name: 'kept_select', text: 'SELECT $1::text AS v', values: ['x'] };
    await pool.query(named);
    await expect(pool.query('INSERT INTO kept VALUES ($1), ($1)', ['b'])).rejects.toMatchObject({ code: '23505' });
    expect((await pool.query(named)).rows).toEqual([{ v: 'x' }]);
  });

  it('drops a connection the server ended, and the next query gets a new one', async () => {
    const before = await backend();
    await admin.query('SELECT pg_terminate_backend($1)', [before]);
    // Fails on the dead connection, or finds it already dropped (pg-pool sees an idle client die).
    await pool.query('SELECT 1').catch(() => undefined);
    const after = await backend();
    expect(after).not.toBe(before);
  });

  it('drops the connection after a failed text-only query (it may hold several statements)', async () => {
    const before = await backend();
    await expect(pool.query(`INSERT INTO kept VALUES ('d'), ('d')`)).rejects.toMatchObject({ code: '23505' });
    expect(await backend()).not.toBe(before);
  });

  it('drops a connection left in an aborted transaction block', async () => {
    const before = await backend();
    await expect(pool.query(`BEGIN; INSERT INTO kept VALUES ('c'), ('c'); COMMIT`)).rejects.toMatchObject({
      code: '23505',
    });
    expect(await backend()).not.toBe(before);
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('leaves callback calls to pg-pool', async () => {
    const rows = await new Promise((resolve, reject) =>
      pool.query('SELECT 2 AS two', (error, result) => (error ? reject(error) : resolve(result.rows))),
    );
    expect(rows).toEqual([{ two: 2 }]);
  });
});
