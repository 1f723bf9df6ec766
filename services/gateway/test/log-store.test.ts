import { deleteOldLogs } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLogs, logEntriesJson } from '../src/logs/log-store';
import type { LogEntry } from '../src/logs/request-log';

const entry = (id: string, created: string): LogEntry => ({
  id,
  created,
  level: 0,
  message: `GET /api/${id}`,
  data: { type: 'request', status: 200, note: 'it\'s "quoted" \\ and ünïcode' },
});

// The writer the logs.write job runs, and the retention, on a real `_logs`.
describe('log store', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const ids = async () =>
    (await pool.query<{ id: string }>('SELECT id FROM "_logs" ORDER BY id')).rows.map((r) => r.id);

  it('writes a batch in one statement, and a retried batch adds nothing', async () => {
    const batch = [entry('a1', '2026-01-01 10:00:00.000Z'), entry('a2', '2026-01-09 10:00:00.000Z')];
    await insertLogs(pool, batch);
    // The job's form: the batch serialised once by the edge.
    await insertLogs(pool, logEntriesJson(batch));
    await insertLogs(pool, []);
    expect(await ids()).toEqual(['a1', 'a2']);
    // A retry that overlaps what is stored adds only what is new.
    await insertLogs(pool, [batch[1], entry('a3', '2026-01-09 11:00:00.000Z')]);
    expect(await ids()).toEqual(['a1', 'a2', 'a3']);
    await pool.query('DELETE FROM "_logs" WHERE id = $1', ['a3']);
    const { rows } = await pool.query('SELECT data FROM "_logs" WHERE id = $1', ['a1']);
    expect(rows[0].data).toEqual(batch[0].data);
  });

  it('deletes what is maxDays old or older', async () => {
    const removed = await deleteOldLogs(pool, 5, new Date('2026-01-10T10:00:00.000Z'));
    expect(removed).toBe(1);
    expect(await ids()).toEqual(['a2']);
    // 0 days: everything created until now goes.
    expect(await deleteOldLogs(pool, 0, new Date('2026-01-10T10:00:00.000Z'))).toBe(1);
    expect(await ids()).toEqual([]);
  });

  it('after a settings change, also deletes what is under the new minimum level', async () => {
    await insertLogs(pool, [
      { ...entry('b1', '2026-01-09 10:00:00.000Z'), level: 0 },
      { ...entry('b2', '2026-01-09 10:00:00.000Z'), level: 8 },
    ]);
    expect(await deleteOldLogs(pool, 5, new Date('2026-01-10T10:00:00.000Z'), 4)).toBe(1);
    expect(await ids()).toEqual(['b2']);
  });

  it('keeps a batch whose entries hold NUL characters (a hostile URL), with U+FFFD in their place', async () => {
    const hostile = {
      ...entry('c1', '2026-01-09 10:00:00.000Z'),
      message: 'GET /api/\u0000x',
      data: { type: 'request', url: '/api/%00x', note: 'a\u0000b', literal: 'not a NUL: \\u0000' },
    };
    await insertLogs(pool, [hostile, entry('c2', '2026-01-09 10:00:00.000Z')]);
    const { rows } = await pool.query('SELECT id, message, data FROM "_logs" WHERE id LIKE $1 ORDER BY id', ['c%']);
    expect(rows.map((row) => row.id)).toEqual(['c1', 'c2']);
    expect(rows[0].message).toBe('GET /api/\uFFFDx');
    expect(rows[0].data).toEqual({ ...hostile.data, note: 'a\uFFFDb' });
  });
});
