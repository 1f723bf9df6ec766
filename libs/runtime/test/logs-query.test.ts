import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLog, listLogs, logsStats, truncateLogs } from '../src/logs/logs-query';

// The logs API's queries over a real `_logs`, as the gateway's writer leaves it.
describe('logs queries', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  const log = (id: string, created: string, level: number, data: Record<string, unknown>) =>
    pool.query(`INSERT INTO "_logs" (id, created, level, message, data) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      created,
      level,
      `${data.method} ${data.url}`,
      JSON.stringify(data),
    ]);

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    await log('aaaaaaaaaaaaaa1', '2026-01-02 10:15:00.000Z', 0, {
      method: 'GET',
      url: '/api/a',
      status: 200,
      auth: '',
    });
    await log('aaaaaaaaaaaaaa2', '2026-01-02 10:45:00.000Z', 8, {
      method: 'POST',
      url: '/api/b',
      status: 400,
      auth: 'users',
    });
    await log('aaaaaaaaaaaaaa3', '2026-01-02 12:05:00.000Z', 8, {
      method: 'GET',
      url: '/api/c',
      status: 404,
      auth: '_superusers',
    });
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('lists in insertion order, pages, and counts', async () => {
    const page = await listLogs(pool, { perPage: '2' });
    expect(page).toMatchObject({ page: 1, perPage: 2, totalItems: 3, totalPages: 2 });
    expect(page.items.map((item) => item.id)).toEqual(['aaaaaaaaaaaaaa1', 'aaaaaaaaaaaaaa2']);
    expect(page.items[0]).toEqual({
      id: 'aaaaaaaaaaaaaa1',
      created: '2026-01-02 10:15:00.000Z',
      data: { method: 'GET', url: '/api/a', status: 200, auth: '' },
      message: 'GET /api/a',
      level: 0,
    });
    expect(Object.keys(page.items[0])).toEqual(['id', 'created', 'data', 'message', 'level']);
    const skipped = await listLogs(pool, { skipTotal: 'true', sort: '-@rowid' });
    expect(skipped).toMatchObject({ totalItems: -1, totalPages: -1 });
    expect(skipped.items.map((item) => item.id)).toEqual(['aaaaaaaaaaaaaa3', 'aaaaaaaaaaaaaa2', 'aaaaaaaaaaaaaa1']);
  });

  it.each([
    ['data.status >= 400', ['aaaaaaaaaaaaaa2', 'aaaaaaaaaaaaaa3']],
    ['data.status = 404', ['aaaaaaaaaaaaaa3']],
    ["data.auth != '_superusers'", ['aaaaaaaaaaaaaa1', 'aaaaaaaaaaaaaa2']],
    ['level > 0 && data.method = "POST"', ['aaaaaaaaaaaaaa2']],
    ["created >= '2026-01-02 11:00:00.000Z'", ['aaaaaaaaaaaaaa3']],
    ["message ~ '/api/b'", ['aaaaaaaaaaaaaa2']],
    ["id = 'aaaaaaaaaaaaaa1'", ['aaaaaaaaaaaaaa1']],
  ])('filters %s', async (filter, ids) => {
    const { items } = await listLogs(pool, { filter });
    expect(items.map((item) => item.id)).toEqual(ids);
  });

  it.each([
    'data.status >>= 1',
    'nosuch = 1',
    '@collection.users.id != ""',
    '@request.auth.id != ""',
    "data.status = 1' OR 1=1 --",
  ])('refuses the filter %s with a client error', async (filter) => {
    await expect(listLogs(pool, { filter })).rejects.toMatchObject({ status: 400 });
  });

  it('refuses unknown sort fields and unreadable paging with a client error', async () => {
    await expect(listLogs(pool, { sort: 'nosuch' })).rejects.toMatchObject({ status: 400 });
    await expect(listLogs(pool, { page: 'x' })).rejects.toMatchObject({ status: 400 });
  });

  it('counts per hour, filtered', async () => {
    expect(await logsStats(pool, '')).toEqual([
      { total: 2, date: '2026-01-02 10:00:00' },
      { total: 1, date: '2026-01-02 12:00:00' },
    ]);
    expect(await logsStats(pool, 'data.status >= 400')).toEqual([
      { total: 1, date: '2026-01-02 10:00:00' },
      { total: 1, date: '2026-01-02 12:00:00' },
    ]);
  });

  it('finds one, and truncates', async () => {
    expect((await findLog(pool, 'aaaaaaaaaaaaaa2'))?.level).toBe(8);
    expect(await findLog(pool, 'nope')).toBeNull();
    await truncateLogs(pool);
    expect((await listLogs(pool, {})).totalItems).toBe(0);
  });
});
