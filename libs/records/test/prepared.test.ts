import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import { type Collection, type CollectionLookup, normalizeCollection, planSchemaChange } from '@hivebase/schema';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordAccess } from '../src/access';
import { StatementNames, statementNames } from '../src/prepared';
import { RecordReader } from '../src/record-reader';
import { RecordWriter, WRITTEN_CTE } from '../src/record-writer';

// Named statements on a pool of ONE connection, so every query meets what the previous ones
// prepared: schema changes (seen by this process or only by another replica) must never make a
// request fail with "cached plan must not change result type".

/** A collection as the schema store hands it out: `updated` is the stamp every change moves. */
const collection = (raw: Record<string, unknown>): Collection => {
  const { collection: normalized, errors } = normalizeCollection(raw);
  expect(errors).toEqual({});
  return { ...normalized, updated: String(raw.updated) };
};

const NOTES = {
  id: 'pbc_notes0000001',
  name: 'notes',
  type: 'base',
  listRule: '',
  viewRule: '',
  createRule: '',
  updateRule: '',
  deleteRule: '',
  fields: [
    { id: 'f_title', name: 'title', type: 'text' },
    { id: 'f_views', name: 'views', type: 'number' },
  ],
};

const request = { context: 'default', method: 'GET', headers: {}, query: {}, body: {}, auth: null } as const;
const GUEST: RecordAccess = { isSuperuser: false, request: { ...request } };
const SUPERUSER: RecordAccess = { isSuperuser: true, request: { ...request } };

let database: TestDatabase;
let pool: pg.Pool;
/** The schema as this process knows it (a test swaps it to simulate a reload). */
let current: Collection;
const lookup: CollectionLookup = {
  find: (idOrName) => (idOrName === current.id || idOrName.toLowerCase() === current.name ? current : undefined),
  all: () => [current],
};
let reader: RecordReader;
let writer: RecordWriter;

/** The names prepared on the pool's only connection. */
const prepared = async () =>
  (await pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map(
    (row) => row.name,
  );

/** Runs the planner's DDL from `before` to `after` as another replica would (this process is not told). */
const alter = async (before: Collection, after: Collection, db: Pick<pg.Pool, 'query'> = pool) => {
  for (const action of planSchemaChange(before, after)) await db.query(action.sql);
};

const changed = (before: Collection, fields: Record<string, unknown>[], updated: string) =>
  collection({ ...NOTES, fields, created: before.created, updated });

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 1 });
  await pool.query('CREATE TABLE changes (id bigserial PRIMARY KEY, action text, record jsonb)');
  reader = new RecordReader(pool, lookup);
  writer = new RecordWriter(pool, lookup, {
    queueSql: ({ action }, params) =>
      `INSERT INTO changes (action, record) SELECT $${params.push(action)}::text, to_jsonb(${WRITTEN_CTE}) FROM ${WRITTEN_CTE}`,
    committed: () => undefined,
  });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

beforeEach(async () => {
  await pool.query('DROP TABLE IF EXISTS notes; DEALLOCATE ALL; DELETE FROM changes');
  // pg remembers what it prepared per connection: start each test on a fresh one.
  await pool.end();
  pool = new pg.Pool({ connectionString: database.url, max: 1 });
  reader = new RecordReader(pool, lookup);
  writer = new RecordWriter(pool, lookup, {
    queueSql: ({ action }, params) =>
      `INSERT INTO changes (action, record) SELECT $${params.push(action)}::text, to_jsonb(${WRITTEN_CTE}) FROM ${WRITTEN_CTE}`,
    committed: () => undefined,
  });
  current = collection({ ...NOTES, updated: '2026-01-01 00:00:00.000Z' });
  for (const action of planSchemaChange(null, current)) await pool.query(action.sql);
});

describe('named statements', () => {
  it('prepares a view, a list and a write once per connection and reuses them', async () => {
    const note = await writer.create(current, { title: 'a', views: 1 }, SUPERUSER);
    await reader.view(current, String(note.id), GUEST);
    await reader.list(current, { filter: 'views > 0', sort: '-views' }, GUEST);
    const names = await prepared();
    expect(names.length).toBe(3); // insert, view, list (page and total in one)
    expect(names.every((name) => /^hb_[0-9a-f]{24}_0$/.test(name))).toBe(true);
    // Same shapes again, other values: nothing new is prepared, answers follow the values.
    const other = await writer.create(current, { title: 'b', views: 9 }, SUPERUSER);
    expect((await reader.view(current, String(other.id), GUEST)).title).toBe('b');
    const page = await reader.list(current, { filter: 'views > 5', sort: '-views' }, GUEST);
    expect(page.items.map((item) => item.title)).toEqual(['b']);
    expect(page.totalItems).toBe(1);
    expect(await prepared()).toEqual(names);
  });

  it('reads correctly after a field is added, once this process reloaded its schema', async () => {
    const note = await writer.create(current, { title: 'a', views: 1 }, SUPERUSER);
    expect(await reader.view(current, String(note.id), GUEST)).not.toHaveProperty('body');
    const next = changed(
      current,
      [...NOTES.fields, { id: 'f_body', name: 'body', type: 'text' }],
      '2026-01-02 00:00:00.000Z',
    );
    await alter(current, next);
    current = next;
    expect(await reader.view(current, String(note.id), GUEST)).toMatchObject({ title: 'a', body: '' });
    const page = await reader.list(current, {}, GUEST);
    expect(page.items[0]).toMatchObject({ id: note.id, body: '' });
  });

  it('retries a stale read plan on a held client when another replica changed the table', async () => {
    const note = await writer.create(current, { title: 'a', views: 1 }, SUPERUSER);
    const client = await pool.connect();
    try {
      const names = async () =>
        (await client.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map(
          (row) => row.name,
        );
      const held = new RecordReader(client, lookup);
      await held.view(current, String(note.id), GUEST);
      await held.list(current, { sort: '-views' }, GUEST);
      const before = await names();
      // This process still has the old collection (same `updated` stamp): the same names meet a changed table.
      const later = changed(current, [...NOTES.fields, { id: 'f_body', name: 'body', type: 'text' }], 'later');
      await alter(current, later, client);
      expect((await held.view(current, String(note.id), GUEST)).views).toBe(1);
      expect((await held.list(current, { sort: '-views' }, GUEST)).items.map((item) => item.id)).toEqual([note.id]);
      // The stale names were replaced by fresh ones (not failed and retried on every request).
      const after = await names();
      expect(after.filter((name) => name.endsWith('_0') && !before.includes(name))).toEqual([]);
      expect(after.filter((name) => !before.includes(name)).length).toBeGreaterThanOrEqual(2);
      await held.view(current, String(note.id), GUEST);
      await held.list(current, { sort: '-views' }, GUEST);
      expect(await names()).toEqual(after);
    } finally {
      client.release();
    }
  });

  it('retries stale write plans (their RETURNING *) and still queues each event once', async () => {
    // Writes take a pooled client and give it back: with one connection they all share it.
    const note = await writer.create(current, { title: 'a', views: 1 }, SUPERUSER);
    await writer.update(current, String(note.id), { views: 2 }, SUPERUSER);
    const doomed = await writer.create(current, { title: 'd' }, SUPERUSER);
    await writer.delete(current, String(doomed.id), SUPERUSER);
    await alter(current, changed(current, [...NOTES.fields, { id: 'f_body', name: 'body', type: 'text' }], 'later'));
    expect((await writer.update(current, String(note.id), { views: 3 }, SUPERUSER)).views).toBe(3);
    const created = await writer.create(current, { title: 'b' }, SUPERUSER);
    expect(created.title).toBe('b');
    await writer.delete(current, String(created.id), SUPERUSER);
    const { rows } = await pool.query('SELECT action, record FROM changes ORDER BY id');
    expect(rows.map((row) => row.action)).toEqual([
      'create',
      'update',
      'create',
      'delete',
      'update',
      'create',
      'delete',
    ]);
    expect(rows[4].record).toMatchObject({ id: note.id, views: 3, body: '' });
    expect((await pool.query('SELECT views FROM notes WHERE id = $1', [note.id])).rows[0].views).toBe(3);
  });

  it('reads correctly after a field is dropped or renamed elsewhere', async () => {
    const note = await writer.create(current, { title: 'a', views: 4 }, SUPERUSER);
    await reader.view(current, String(note.id), GUEST);
    const renamed = changed(
      current,
      [
        { id: 'f_title', name: 'heading', type: 'text' },
        { id: 'f_views', name: 'views', type: 'number' },
      ],
      '2026-01-03 00:00:00.000Z',
    );
    await alter(current, renamed);
    // Stale: this process still thinks the field is called title.
    expect(await reader.view(current, String(note.id), GUEST)).toMatchObject({ id: note.id, views: 4 });
    current = renamed;
    expect(await reader.view(current, String(note.id), GUEST)).toMatchObject({ heading: 'a', views: 4 });
    const dropped = changed(current, [{ id: 'f_views', name: 'views', type: 'number' }], '2026-01-04 00:00:00.000Z');
    await alter(current, dropped);
    current = dropped;
    const viewed = await reader.view(current, String(note.id), GUEST);
    expect(viewed).toMatchObject({ views: 4 });
    expect(viewed).not.toHaveProperty('heading');
  });

  it('runs unnamed inside a transaction, where a stale plan could not be retried', async () => {
    const note = await writer.create(current, { title: 'a' }, SUPERUSER);
    const client = await pool.connect();
    try {
      await client.query('DEALLOCATE ALL');
      await client.query('BEGIN');
      const inTx = new RecordReader(client, lookup);
      expect((await inTx.view(current, String(note.id), GUEST)).title).toBe('a');
      expect((await writer.update(current, String(note.id), { title: 'b' }, SUPERUSER, client)).title).toBe('b');
      await client.query('COMMIT');
      const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_prepared_statements');
      expect(rows[0].n).toBe(0);
      // Idle again: named.
      await inTx.view(current, String(note.id), GUEST);
      const after = await client.query('SELECT count(*)::int AS n FROM pg_prepared_statements');
      expect(after.rows[0].n).toBe(1);
    } finally {
      client.release();
    }
  });

  it('gives different texts different names on one connection (pg refuses one name for two texts)', async () => {
    const names = new StatementNames();
    const a = names.config(current, 'SELECT $1::int AS v', [1]);
    const b = names.config(current, 'SELECT $1::int + 1 AS v', [1]);
    expect(a.name).not.toBe(b.name);
    expect((await names.query(pool, current, 'SELECT $1::int AS v', [1])).rows[0].v).toBe(1);
    expect((await names.query(pool, current, 'SELECT $1::int + 1 AS v', [1])).rows[0].v).toBe(2);
    // The same text under another schema stamp is another statement.
    expect(names.config({ ...current, updated: 'x' }, 'SELECT $1::int AS v', [1]).name).not.toBe(a.name);
  });

  it('stops naming new texts past its cap and runs them unnamed', async () => {
    const names = new StatementNames(2);
    expect(names.config(current, 'SELECT 1', []).name).toBeDefined();
    expect(names.config(current, 'SELECT 2', []).name).toBeDefined();
    expect(names.config(current, 'SELECT 3', []).name).toBeUndefined();
    expect(names.config(current, 'SELECT 1', []).name).toBeDefined();
    expect(names.size).toBe(2);
    expect((await names.query(pool, current, 'SELECT 3 AS v', [])).rows[0].v).toBe(3);
    expect(statementNames.size).toBeLessThan(1000);
  });
});
