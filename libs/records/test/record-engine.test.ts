import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import { type Collection, type CollectionLookup, normalizeCollection, planSchemaChange } from '@hivebase/schema';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordAccess } from '../src/access';
import { RecordReader } from '../src/record-reader';
import { type ChangeFeed, RecordWriter, WRITTEN_CTE } from '../src/record-writer';
import { RecordsError } from '../src/records.errors';

// The record engine on a real Postgres: tables from the schema planner, the writer's validation
// and system values, its change feed queued by the write's own statement, the reader's rules,
// filter, sort and pages, and the expander through a relation.

const collection = (raw: Record<string, unknown>): Collection => {
  const { collection: normalized, errors } = normalizeCollection(raw);
  expect(errors).toEqual({});
  return normalized;
};

const authors = collection({
  id: 'pbc_authors00001',
  name: 'authors',
  type: 'base',
  listRule: '',
  viewRule: '',
  fields: [{ id: 'f_name', name: 'name', type: 'text', required: true }],
});

const posts = collection({
  id: 'pbc_posts0000001',
  name: 'posts',
  type: 'base',
  listRule: 'public = true',
  viewRule: 'public = true',
  createRule: '',
  updateRule: null,
  deleteRule: null,
  fields: [
    { id: 'f_title', name: 'title', type: 'text', required: true, max: 20 },
    { id: 'f_views', name: 'views', type: 'number' },
    { id: 'f_public', name: 'public', type: 'bool' },
    { id: 'f_meta', name: 'meta', type: 'json' },
    { id: 'f_tags', name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
    { id: 'f_author', name: 'author', type: 'relation', collectionId: 'pbc_authors00001', maxSelect: 1 },
    { id: 'f_created', name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
    { id: 'f_updated', name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
  ],
});

const postViews = collection({
  id: 'pbc_postviews001',
  name: 'post_views',
  type: 'view',
  listRule: '',
  viewRule: '',
  viewQuery: 'SELECT id, views FROM posts',
  fields: [
    { id: 'f_v_id', name: 'id', type: 'text', primaryKey: true, system: true },
    { id: 'f_v_views', name: 'views', type: 'number' },
  ],
});

const members = collection({
  id: 'pbc_members00001',
  name: 'members',
  type: 'auth',
  listRule: '',
  viewRule: '',
  manageRule: '@request.auth.id = "manager00000001"',
  fields: [],
});

const everyCollection = [authors, posts, postViews, members];
const lookup: CollectionLookup = {
  find: (idOrName) => everyCollection.find((c) => c.id === idOrName || c.name.toLowerCase() === idOrName.toLowerCase()),
  all: () => everyCollection,
};

const request = { context: 'default', method: 'GET', headers: {}, query: {}, body: {}, auth: null } as const;
const SUPERUSER: RecordAccess = { isSuperuser: true, request: { ...request } };
const GUEST: RecordAccess = { isSuperuser: false, request: { ...request } };

let database: TestDatabase;
let pool: pg.Pool;
let commits: number;
/** The changes the feed queued, oldest first: only committed writes leave theirs. */
const queued = async () =>
  (
    await pool.query<{ action: string; collection: string; record: Record<string, unknown> }>(
      'SELECT action, collection, record FROM changes ORDER BY id',
    )
  ).rows;
let writer: RecordWriter;
let reader: RecordReader;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  for (const created of everyCollection) {
    for (const action of planSchemaChange(null, created)) await pool.query(action.sql);
  }
  await pool.query('CREATE TABLE changes (id bigserial PRIMARY KEY, action text, collection text, record jsonb)');
  const feed: ChangeFeed = {
    queueSql: ({ action, collection }, params) =>
      `INSERT INTO changes (action, collection, record) SELECT $${params.push(action)}::text, $${params.push(collection.name)}::text, to_jsonb(${WRITTEN_CTE}) FROM ${WRITTEN_CTE}`,
    committed: () => {
      commits += 1;
    },
  };
  writer = new RecordWriter(pool, lookup, feed);
  reader = new RecordReader(pool, lookup);
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

beforeEach(async () => {
  commits = 0;
  await pool.query('DELETE FROM posts; DELETE FROM authors; DELETE FROM members; DELETE FROM changes');
});

describe('RecordWriter', () => {
  it('creates a record with its system values and column forms, and queues its change with it', async () => {
    const author = await writer.create(authors, { name: 'Ann' }, SUPERUSER);
    const post = await writer.create(
      posts,
      { title: 'hello', views: '7', public: true, meta: { a: [1, 2] }, tags: ['b', 'a', 'b'], author: author.id },
      GUEST,
    );
    expect(post).toMatchObject({ title: 'hello', views: 7, public: true, tags: ['b', 'a'], author: author.id });
    expect(post.id).toMatch(/^[a-z0-9]{15}$/);
    expect(post.created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(post.updated).toBe(post.created);
    const { rows } = await pool.query('SELECT meta::text AS meta FROM posts WHERE id = $1', [post.id]);
    expect(JSON.parse(rows[0].meta)).toEqual({ a: [1, 2] });
    expect(await queued()).toEqual([
      { action: 'create', collection: 'authors', record: expect.objectContaining({ name: 'Ann' }) },
      { action: 'create', collection: 'posts', record: expect.objectContaining({ id: post.id, title: 'hello' }) },
    ]);
    expect(commits).toBe(2);
  });

  it('ignores a submitted autodate and moves only onUpdate ones on update', async () => {
    const post = await writer.create(posts, { title: 'x', created: '2001-01-01 00:00:00.000Z' }, SUPERUSER);
    expect(post.created).not.toBe('2001-01-01 00:00:00.000Z');
    await new Promise((done) => setTimeout(done, 5));
    const updated = await writer.update(posts, String(post.id), { title: 'y' }, SUPERUSER);
    expect(updated.created).toBe(post.created);
    expect(updated.updated).not.toBe(post.updated);
  });

  it('answers invalid values with a 400 and every field error, and writes nothing', async () => {
    const refusal = await writer
      .create(posts, { title: 'x'.repeat(21), tags: ['zzz'], author: 'missing00000000' }, GUEST)
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RecordsError);
    expect((refusal as RecordsError).status).toBe(400);
    expect(Object.keys((refusal as RecordsError).data).sort()).toEqual(['author', 'tags', 'title']);
    expect((await pool.query('SELECT count(*)::int AS n FROM posts')).rows[0].n).toBe(0);
    expect(await queued()).toEqual([]);
    expect(commits).toBe(0);
  });

  it('refuses a locked rule to a guest with 403 and lets a superuser delete', async () => {
    const post = await writer.create(posts, { title: 'x' }, GUEST);
    await expect(writer.update(posts, String(post.id), { title: 'y' }, GUEST)).rejects.toMatchObject({ status: 403 });
    await writer.delete(posts, String(post.id), SUPERUSER);
    expect((await queued()).map((change) => change.action)).toEqual(['create', 'delete']);
    expect((await pool.query('SELECT count(*)::int AS n FROM posts')).rows[0].n).toBe(0);
  });
});

describe('RecordReader', () => {
  beforeEach(async () => {
    const author = await writer.create(authors, { name: 'Ann' }, SUPERUSER);
    for (let i = 1; i <= 5; i++) {
      await writer.create(posts, { title: `post ${i}`, views: i, public: i !== 3, author: author.id }, SUPERUSER);
    }
  });

  it('lists through the list rule, with the client filter, sort and pages', async () => {
    const page = await reader.list(posts, { filter: 'views >= 2', sort: '-views', perPage: '2', page: '1' }, GUEST);
    expect(page).toMatchObject({ page: 1, perPage: 2, totalItems: 3, totalPages: 2 });
    expect(page.items.map((item) => item.views)).toEqual([5, 4]);
    const all = await reader.list(posts, {}, SUPERUSER);
    expect(all.totalItems).toBe(5);
  });

  it('answers page and total in one statement, a page beyond the end included', async () => {
    let statements = 0;
    const counting = new RecordReader(
      {
        query: ((...args: Parameters<pg.Pool['query']>) => {
          statements += 1;
          return (pool.query as (...a: unknown[]) => unknown)(...args);
        }) as pg.Pool['query'],
      },
      lookup,
    );
    const first = await counting.list(posts, { filter: 'views > 1', sort: '-views', perPage: '2' }, GUEST);
    expect(statements).toBe(1);
    expect(first).toMatchObject({ page: 1, perPage: 2, totalItems: 3, totalPages: 2 });
    expect(first.items.map((item) => item.views)).toEqual([5, 4]);
    const last = await counting.list(posts, { filter: 'views > 1', sort: '-views', perPage: '2', page: '2' }, GUEST);
    expect(last).toMatchObject({ page: 2, totalItems: 3, totalPages: 2 });
    expect(last.items.map((item) => item.views)).toEqual([2]);
    const beyond = await counting.list(posts, { filter: 'views > 1', perPage: '2', page: '7' }, GUEST);
    expect(beyond).toEqual({ page: 7, perPage: 2, totalItems: 3, totalPages: 2, items: [] });
    const none = await counting.list(posts, { filter: 'views > 100' }, SUPERUSER);
    expect(none).toEqual({ page: 1, perPage: 30, totalItems: 0, totalPages: 0, items: [] });
    const skipped = await counting.list(posts, { sort: 'views', perPage: '2', page: '2', skipTotal: 'true' }, GUEST);
    expect(skipped).toMatchObject({ totalItems: -1, totalPages: -1 });
    expect(skipped.items.map((item) => item.views)).toEqual([4, 5]);
    expect(statements).toBe(5);
    // Record JSON carries no trace of the combined statement's own columns.
    expect(Object.keys(first.items[0]).sort()).toEqual(
      Object.keys(await reader.view(posts, String(first.items[0].id), GUEST)).sort(),
    );
  });

  it('lists a view (no insertion order) and an auth collection with its managers, in pages with totals', async () => {
    const views = await reader.list(
      postViews,
      { filter: 'views >= 4', perPage: '1', page: '2', sort: '-views' },
      GUEST,
    );
    expect(views).toMatchObject({ totalItems: 2, totalPages: 2 });
    expect(views.items.map((item) => item.views)).toEqual([4]);
    expect((await reader.list(postViews, { perPage: '2', page: '4' }, GUEST)).items).toEqual([]);
    for (const [i, email] of ['a@example.com', 'b@example.com'].entries()) {
      await writer.create(
        members,
        { email, password: 'secret123', passwordConfirm: 'secret123', emailVisibility: i === 0 },
        SUPERUSER,
      );
    }
    const manager: RecordAccess = {
      isSuperuser: false,
      request: { ...request, auth: { collection: members, record: { id: 'manager00000001' } } },
    };
    const managed = await reader.list(members, { sort: 'email' }, manager);
    expect(managed.totalItems).toBe(2);
    expect(managed.items.map((item) => item.email)).toEqual(['a@example.com', 'b@example.com']);
    const guest = await reader.list(members, { sort: 'email', perPage: '1', page: '2' }, GUEST);
    expect(guest).toMatchObject({ totalItems: 2, totalPages: 2 });
    expect(guest.items[0]).not.toHaveProperty('email');
    expect(guest.items[0]).not.toHaveProperty('__hb_managed');
  });

  it('answers a record its view rule hides with 404, and a malformed filter as the client error', async () => {
    const hidden = (await pool.query("SELECT id FROM posts WHERE title = 'post 3'")).rows[0].id;
    await expect(reader.view(posts, hidden, GUEST)).rejects.toMatchObject({ status: 404 });
    expect((await reader.view(posts, hidden, SUPERUSER)).title).toBe('post 3');
    await expect(reader.list(posts, { filter: 'views >' }, GUEST)).rejects.toMatchObject({ status: 400 });
  });

  it('expands a relation, and back-relations from the other side', async () => {
    const page = await reader.list(posts, { sort: 'views', perPage: '1', expand: 'author' }, GUEST);
    expect(page.items[0]).toMatchObject({ title: 'post 1', expand: { author: { name: 'Ann' } } });
    const author = (await reader.list(authors, { expand: 'posts_via_author' }, SUPERUSER)).items[0];
    const expanded = (author.expand as Record<string, { title: string }[]>).posts_via_author;
    expect(expanded.map((post) => post.title).sort()).toEqual(['post 1', 'post 2', 'post 3', 'post 4', 'post 5']);
  });
});
