import { RECORD_CHANGED, type RecordChangedEvent } from '@hivebase/contracts';
import { EVENT_BUS, type EventBus } from '@hivebase/platform';
import { type TestDatabase } from '@hivebase/platform/testing';
import { SchemaRegistry } from '@hivebase/runtime';
import { normalizeCollection, randomString } from '@hivebase/schema';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import * as bcrypt from 'bcrypt';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

type Json = Record<string, unknown>;
let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;
const tokens: Record<'superuser' | 'alice' | 'bob' | 'guest', string> = {
  superuser: '',
  alice: '',
  bob: '',
  guest: '',
};
const ids = { alice: '', bob: '' };

async function call(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  who: keyof typeof tokens,
  body?: unknown,
) {
  const response = await app.inject({
    method,
    url,
    headers: tokens[who] ? { authorization: tokens[who] } : {},
    ...(body === undefined ? {} : { payload: body as Json }),
  });
  return { status: response.statusCode, body: (response.body ? response.json() : {}) as Json };
}

beforeAll(async () => {
  ({ database, app, pool } = await startCollectionsApp('records-test'));
  tokens.superuser = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  const alice = await createAuthRecord(app, 'users', 'alice@example.com');
  const bob = await createAuthRecord(app, 'users', 'bob@example.com');
  Object.assign(tokens, { alice: alice.token, bob: bob.token });
  Object.assign(ids, { alice: alice.id, bob: bob.id });

  const owner = 'author = @request.auth.id';
  const { collection: posts } = normalizeCollection({
    name: 'posts',
    listRule: `published = true || ${owner}`,
    viewRule: `published = true || ${owner}`,
    createRule: `@request.auth.id != "" && ${owner}`,
    updateRule: owner,
    deleteRule: null,
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'views', type: 'number' },
      { name: 'published', type: 'bool' },
      { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
      { name: 'secret', type: 'text', hidden: true },
      { name: 'created', type: 'autodate', onCreate: true },
      { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
    ],
    indexes: ['CREATE UNIQUE INDEX idx_posts_title ON posts (title)'],
  });
  const { collection: view } = normalizeCollection({
    name: 'post_stats',
    type: 'view',
    listRule: '',
    viewRule: '',
    viewQuery: 'SELECT id, views FROM posts',
  });
  await app.get(SchemaRegistry).apply(() => [{ before: null, after: posts }]);
  await app.get(SchemaRegistry).apply(() => [{ before: null, after: view }]);
  const insert = `INSERT INTO posts (id, title, views, published, author, secret, created) VALUES ($1, $2, $3, $4, $5, 's3cret', $6)`;
  await pool.query(insert, ['p00000000000001', 'hello world', 10, true, ids.alice, '2024-01-01 00:00:00.000Z']);
  await pool.query(insert, ['p00000000000002', 'draft by alice', 2, false, ids.alice, '2024-01-02 00:00:00.000Z']);
  await pool.query(insert, ['p00000000000003', 'draft by bob', 5, false, ids.bob, '2024-01-03 00:00:00.000Z']);
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const titles = (body: Json) => (body.items as Json[]).map((item) => item.title);

describe('list and view with rules', () => {
  it.each([
    ['guest', ['hello world']],
    ['alice', ['hello world', 'draft by alice']],
    ['bob', ['hello world', 'draft by bob']],
    ['superuser', ['hello world', 'draft by alice', 'draft by bob']],
  ] as const)('%s sees what the list rule lets through', async (who, expected) => {
    const { status, body } = await call('GET', '/api/collections/posts/records', who);
    expect(status).toBe(200);
    expect(titles(body)).toEqual(expected);
    expect(body).toMatchObject({ page: 1, perPage: 30, totalItems: expected.length, totalPages: 1 });
  });

  it('pages, sorts, filters and skips totals', async () => {
    const { body } = await call(
      'GET',
      '/api/collections/posts/records?sort=-views&perPage=1&page=2&skipTotal=1',
      'superuser',
    );
    expect(titles(body)).toEqual(['draft by bob']);
    expect(body).toMatchObject({ page: 2, perPage: 1, totalItems: -1, totalPages: -1 });
    const filtered = await call(
      'GET',
      `/api/collections/posts/records?filter=${encodeURIComponent('title ~ "draft"')}`,
      'alice',
    );
    expect(titles(filtered.body)).toEqual(['draft by alice']);
  });

  it('filters multi-value fields with any/every semantics', async () => {
    await pool.query(`UPDATE posts SET tags = '{a,b}' WHERE id = 'p00000000000001'`);
    // As in PocketBase, items are reached with :each; the bare field compares as its JSON text.
    const any = await call(
      'GET',
      `/api/collections/posts/records?filter=${encodeURIComponent('tags:each ?= "a"')}`,
      'superuser',
    );
    expect(titles(any.body)).toEqual(['hello world']);
    const every = await call(
      'GET',
      `/api/collections/posts/records?filter=${encodeURIComponent('tags:each = "a"')}`,
      'superuser',
    );
    expect(titles(every.body)).toEqual([]);
    const text = await call(
      'GET',
      `/api/collections/posts/records?filter=${encodeURIComponent('tags ~ "b"')}`,
      'superuser',
    );
    expect(titles(text.body)).toEqual(['hello world']);
  });

  it('caps perPage at 1000', async () => {
    const { body } = await call('GET', '/api/collections/posts/records?perPage=100000', 'guest');
    expect(body.perPage).toBe(1000);
  });

  it.each([
    ['perPage=-5', { page: 1, perPage: 30 }],
    ['perPage=0', { page: 1, perPage: 30 }],
    ['perPage=%2B2', { page: 1, perPage: 2 }],
    ['page=-3&perPage=1', { page: 1, perPage: 1 }],
    ['page=0', { page: 1, perPage: 30 }],
    ['page=&perPage=', { page: 1, perPage: 30 }],
    ['page=2&page=abc&perPage=1', { page: 2, perPage: 1 }],
  ])('reads %s as PocketBase does', async (query, expected) => {
    const { status, body } = await call('GET', `/api/collections/posts/records?${query}`, 'superuser');
    expect(status).toBe(200);
    expect(body).toMatchObject(expected);
  });

  it('answers a page far beyond the table with no items, not a database error', async () => {
    const { status, body } = await call('GET', '/api/collections/posts/records?page=9223372036854775807', 'guest');
    expect(status).toBe(200);
    expect(body).toMatchObject({ items: [], totalItems: 1 });
  });

  it.each([
    'page=99999999999999999999999',
    'page=abc',
    'page=1.5',
    'page= 2',
    'perPage=ten',
    'perPage=1e3',
    'skipTotal=yes',
  ])('answers an unreadable %s with the generic 400', async (query) => {
    const { status, body } = await call('GET', `/api/collections/posts/records?${query}`, 'guest');
    expect(status).toBe(400);
    expect(body).toEqual({ data: {}, message: 'Something went wrong while processing your request.', status: 400 });
  });

  it('lists in insertion order without a sort, and by `@rowid` either way', async () => {
    // Titles inserted out of alphabetical and id order: insertion order is neither.
    await pool.query(`INSERT INTO posts (id, title, published) VALUES ('z00000000000009', 'rowid c', true)`);
    await pool.query(`INSERT INTO posts (id, title, published) VALUES ('a00000000000009', 'rowid a', true)`);
    await pool.query(`INSERT INTO posts (id, title, published) VALUES ('m00000000000009', 'rowid b', true)`);
    const filter = encodeURIComponent('title ~ "rowid"');
    const plain = await call('GET', `/api/collections/posts/records?filter=${filter}`, 'guest');
    expect(titles(plain.body)).toEqual(['rowid c', 'rowid a', 'rowid b']);
    const descending = await call('GET', `/api/collections/posts/records?filter=${filter}&sort=-@rowid`, 'guest');
    expect(titles(descending.body)).toEqual(['rowid b', 'rowid a', 'rowid c']);
    const random = await call('GET', `/api/collections/posts/records?filter=${filter}&sort=@random`, 'guest');
    expect(random.status).toBe(200);
    expect((titles(random.body) as string[]).sort()).toEqual(['rowid a', 'rowid b', 'rowid c']);
    await pool.query(`DELETE FROM posts WHERE title LIKE 'rowid %'`);
  });

  it.each([
    ['filter=@collection.posts.title="x"&sort=@request.auth.id', 'Only superusers can filter by @collection.'],
    ['filter=@request.auth.id="x"&sort=@collection.posts.title', 'Only superusers can filter by @request.'],
    ['filter=@request.x="1" %26%26 @collection.posts.id != ""', 'Only superusers can filter by @collection.'],
    ['sort=-@request.auth.id', 'Only superusers can filter by @request.'],
  ])('refuses a non-superuser %s with PocketBase message', async (query, message) => {
    const { status, body } = await call('GET', `/api/collections/posts/records?${query}`, 'alice');
    expect(status).toBe(403);
    expect(body.message).toBe(message);
  });

  it('answers an id holding NUL with a 404 on view, update and delete', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const { status } = await call(
        method,
        '/api/collections/posts/records/%00',
        'superuser',
        method === 'PATCH' ? {} : undefined,
      );
      expect(status).toBe(404);
    }
  });

  it('shows hidden fields to superusers only, never password or tokenKey', async () => {
    const asAlice = await call('GET', '/api/collections/posts/records/p00000000000002', 'alice');
    expect(asAlice.status).toBe(200);
    expect(asAlice.body).not.toHaveProperty('secret');
    expect(asAlice.body).toMatchObject({ collectionName: 'posts', id: 'p00000000000002', tags: [] });
    expect(Object.keys(asAlice.body)).toEqual([...Object.keys(asAlice.body)].sort());
    const asRoot = await call('GET', '/api/collections/posts/records/p00000000000002', 'superuser');
    expect(asRoot.body.secret).toBe('s3cret');
    const user = await call('GET', `/api/collections/users/records/${ids.alice}`, 'superuser');
    expect(user.body).toMatchObject({ email: 'alice@example.com' });
    expect(user.body).not.toHaveProperty('password');
    expect(user.body).not.toHaveProperty('tokenKey');
  });

  it('hides an auth record’s email unless visible, the owner, or a superuser', async () => {
    const own = await call('GET', `/api/collections/users/records/${ids.alice}`, 'alice');
    expect(own.body.email).toBe('alice@example.com');
    await pool.query(`UPDATE users SET "emailVisibility" = false`);
    const { body } = await call(
      'GET',
      `/api/collections/users/records?filter=${encodeURIComponent(`id = "${ids.alice}"`)}`,
      'alice',
    );
    expect((body.items as Json[])[0].email).toBe('alice@example.com');
  });

  it('answers a record the view rule hides with 404', async () => {
    expect((await call('GET', '/api/collections/posts/records/p00000000000003', 'alice')).status).toBe(404);
    expect((await call('GET', '/api/collections/posts/records/nope', 'superuser')).status).toBe(404);
  });

  it('serves view collections', async () => {
    const { status, body } = await call('GET', '/api/collections/post_stats/records?sort=-views', 'guest');
    expect(status).toBe(200);
    expect((body.items as Json[]).map((item) => item.views)).toEqual([10, 5, 2]);
  });

  it.each([
    ['an unknown collection', '/api/collections/nope/records', 'guest', 404],
    ['a malformed filter', `/api/collections/posts/records?filter=${encodeURIComponent('title = ')}`, 'guest', 400],
    [
      'an unknown filter field',
      `/api/collections/posts/records?filter=${encodeURIComponent('nope = 1')}`,
      'guest',
      400,
    ],
    [
      'a hidden field in a user filter',
      `/api/collections/posts/records?filter=${encodeURIComponent('secret = "s3cret"')}`,
      'alice',
      400,
    ],
    [
      '@request in a user filter',
      `/api/collections/posts/records?filter=${encodeURIComponent('@request.auth.id != ""')}`,
      'alice',
      403,
    ],
    [
      '@collection in a user sort',
      `/api/collections/posts/records?sort=${encodeURIComponent('@collection.posts.title')}`,
      'alice',
      403,
    ],
    ['a bad sort', '/api/collections/posts/records?sort=nope', 'guest', 400],
    [
      'a filter over 3500 characters',
      `/api/collections/posts/records?filter=${encodeURIComponent(`title = "${'x'.repeat(3600)}"`)}`,
      'guest',
      400,
    ],
  ] as const)('answers %s with %i in PocketBase shape', async (_what, url, who, status) => {
    const response = await call('GET', url, who);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ status, data: {} });
    expect(typeof response.body.message).toBe('string');
  });
});

describe('writes with rules and validation', () => {
  it('creates a record that passes the create rule', async () => {
    const { status, body } = await call('POST', '/api/collections/posts/records', 'alice', {
      title: 'new post',
      views: '7',
      author: ids.alice,
      tags: ['a', 'b'],
      secret: 'ignored for non-superusers',
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ title: 'new post', views: 7, author: ids.alice, tags: ['a', 'b'] });
    expect(body.id).toMatch(/^[a-z0-9]{15}$/);
    expect(body.created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    const stored = await pool.query('SELECT secret FROM posts WHERE id = $1', [body.id]);
    expect(stored.rows[0].secret).toBe('');
  });

  it.each([
    ['a guest (rule fails)', 'guest', { title: 'x1', author: '' }, 400],
    ['alice posting as bob (rule fails)', 'alice', { title: 'x2', author: 'BOB' }, 400],
  ] as const)('refuses %s', async (_what, who, payload, status) => {
    const body = { ...payload, author: payload.author === 'BOB' ? ids.bob : payload.author };
    const response = await call('POST', '/api/collections/posts/records', who, body);
    expect(response.status).toBe(status);
    expect(response.body.message).toBe('Failed to create record.');
    expect((await pool.query("SELECT count(*)::int AS n FROM posts WHERE title IN ('x1', 'x2')")).rows[0].n).toBe(0);
  });

  it.each([
    [{ views: 1 }, 'title', 'validation_required'],
    [{ title: 'ok1', tags: ['z'] }, 'tags', 'validation_invalid_value'],
    [{ title: 'ok2', author: 'missing00000000' }, 'author', 'validation_missing_rel_records'],
    [{ title: 'hello world' }, 'title', 'validation_not_unique'],
  ])('reports %j as data.%s = %s', async (payload, field, code) => {
    const response = await call('POST', '/api/collections/posts/records', 'superuser', payload);
    expect(response.status).toBe(400);
    expect((response.body.data as Json)[field]).toMatchObject({ code });
  });

  it('fills an empty autogenerate text field on create, sent or not', async () => {
    const registry = app.get(SchemaRegistry);
    const { collection } = normalizeCollection({
      name: 'slugs',
      fields: [{ name: 'slug', type: 'text', autogeneratePattern: '[a-z]{8}' }],
    });
    await registry.apply(() => [{ before: null, after: collection }]);
    const omitted = await call('POST', '/api/collections/slugs/records', 'superuser', {});
    const empty = await call('POST', '/api/collections/slugs/records', 'superuser', { slug: '' });
    const given = await call('POST', '/api/collections/slugs/records', 'superuser', { slug: 'mine' });
    expect(omitted.body.slug).toMatch(/^[a-z]{8}$/);
    expect(empty.body.slug).toMatch(/^[a-z]{8}$/);
    expect(given.body.slug).toBe('mine');
  });

  it('answers a non-object body with a 400', async () => {
    const response = await call('POST', '/api/collections/posts/records', 'superuser', ['not', 'an', 'object']);
    expect(response.status).toBe(400);
  });

  it('updates only records the update rule matches (404 otherwise)', async () => {
    expect(
      (await call('PATCH', '/api/collections/posts/records/p00000000000003', 'alice', { title: 'stolen' })).status,
    ).toBe(404);
    const { status, body } = await call('PATCH', '/api/collections/posts/records/p00000000000002', 'alice', {
      views: 3,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ title: 'draft by alice', views: 3 });
  });

  it('lets only superusers delete when the delete rule is null', async () => {
    expect((await call('DELETE', '/api/collections/posts/records/p00000000000002', 'alice')).status).toBe(403);
    expect((await call('DELETE', '/api/collections/posts/records/p00000000000002', 'superuser')).status).toBe(204);
    expect((await call('GET', '/api/collections/posts/records/p00000000000002', 'superuser')).status).toBe(404);
  });

  it('refuses writes to a view collection', async () => {
    const response = await call('POST', '/api/collections/post_stats/records', 'superuser', {});
    expect(response).toMatchObject({ status: 400, body: { message: 'Unsupported collection type.' } });
  });
});

describe('expand', () => {
  it('expands relations and back-relations, each filtered by its own view rule', async () => {
    await pool.query(`UPDATE users SET "emailVisibility" = true`);
    const single = await call('GET', '/api/collections/posts/records/p00000000000001?expand=author', 'alice');
    expect((single.body.expand as Json).author).toMatchObject({ id: ids.alice, collectionName: 'users' });

    // users' view rule is "id = @request.auth.id": bob may not see alice through a relation either.
    const hidden = await call('GET', '/api/collections/posts/records/p00000000000001?expand=author', 'bob');
    // A valid expand path still answers `expand: {}` (PocketBase), with nothing bob may not view.
    expect(hidden.body.expand).toEqual({});

    const back = await call('GET', `/api/collections/users/records/${ids.alice}?expand=posts_via_author`, 'superuser');
    const posts = (back.body.expand as Json).posts_via_author as Json[];
    expect(posts.map((post) => post.author)).toEqual(posts.map(() => ids.alice));
    expect(posts.length).toBeGreaterThan(0);

    const nested = await call(
      'GET',
      `/api/collections/users/records/${ids.alice}?expand=posts_via_author.author`,
      'superuser',
    );
    const first = ((nested.body.expand as Json).posts_via_author as Json[])[0] as Json;
    expect((first.expand as Json).author).toMatchObject({ id: ids.alice });
  });

  it('expands every item of a list with one query per relation', async () => {
    const { body } = await call('GET', '/api/collections/posts/records?expand=author,nope,author.nothing', 'superuser');
    const withAuthor = (body.items as Json[]).filter((item) => item.author);
    expect(withAuthor.every((item) => ((item.expand as Json)?.author as Json)?.id === item.author)).toBe(true);
  });

  it('trims expanded records with fields', async () => {
    const { body } = await call(
      'GET',
      '/api/collections/posts/records/p00000000000001?expand=author&fields=id,expand.author.email',
      'superuser',
    );
    expect(body).toEqual({ id: 'p00000000000001', expand: { author: { email: 'alice@example.com' } } });
  });
});

describe('record events', () => {
  it('publishes record.changed after commit, in order, without secrets', async () => {
    const seen: RecordChangedEvent[] = [];
    const bus = app.get<EventBus>(EVENT_BUS);
    const unsubscribe = await bus.subscribe<RecordChangedEvent>(RECORD_CHANGED, (event) => {
      if (event.collectionName === 'posts' || event.collectionName === 'users') seen.push(event);
    });
    try {
      const created = await call('POST', '/api/collections/posts/records', 'superuser', { title: 'evented' });
      await call('PATCH', `/api/collections/posts/records/${created.body.id}`, 'superuser', { views: 1 });
      await call('DELETE', `/api/collections/posts/records/${created.body.id}`, 'superuser');
      await call('PATCH', `/api/collections/users/records/${ids.bob}`, 'superuser', { name: 'Bob' });
      await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(4);
      expect(seen.map((event) => event.action)).toEqual(['create', 'update', 'delete', 'update']);
      expect(seen[1]).toMatchObject({ record: { views: 1 }, previous: { views: 0 } });
      expect(seen[3].record).not.toHaveProperty('password');
      expect(seen[3].record).not.toHaveProperty('tokenKey');
    } finally {
      await unsubscribe();
    }
  });

  it('publishes nothing for a write that fails', async () => {
    const seen: RecordChangedEvent[] = [];
    const unsubscribe = await app.get<EventBus>(EVENT_BUS).subscribe<RecordChangedEvent>(RECORD_CHANGED, (event) => {
      seen.push(event);
    });
    try {
      await call('POST', '/api/collections/posts/records', 'alice', { title: 'not mine', author: ids.bob });
      const marker = await call('POST', '/api/collections/posts/records', 'superuser', { title: 'marker' });
      await expect.poll(() => seen.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      expect(seen.map((event) => event.record.title)).toEqual(['marker']);
      expect(marker.status).toBe(200);
    } finally {
      await unsubscribe();
    }
  });
});

describe('auth records', () => {
  it('hashes a new password, requires passwordConfirm, and never returns it', async () => {
    const mismatch = await call('POST', '/api/collections/users/records', 'guest', {
      email: 'carol@example.com',
      password: 'carol-password',
      passwordConfirm: 'other',
    });
    expect(mismatch.status).toBe(400);
    expect((mismatch.body.data as Json).passwordConfirm).toMatchObject({ code: 'validation_values_mismatch' });

    // Form errors come back alone, before the fields' own (the email here is invalid too).
    const unconfirmed = await call('POST', '/api/collections/users/records', 'guest', {
      email: 'not-an-email',
      password: 'carol-password',
    });
    expect(unconfirmed.body.data).toEqual({
      passwordConfirm: expect.objectContaining({ code: 'validation_required' }),
    });

    // Only managers may set `verified`: refused, never silently dropped.
    const selfVerified = await call('POST', '/api/collections/users/records', 'guest', {
      email: 'carol@example.com',
      password: 'carol-password',
      passwordConfirm: 'carol-password',
      verified: true,
    });
    expect(selfVerified.status).toBe(400);
    expect(selfVerified.body.data).toEqual({
      verified: expect.objectContaining({ code: 'validation_values_mismatch' }),
    });

    const created = await call('POST', '/api/collections/users/records', 'guest', {
      email: 'carol@example.com',
      password: 'carol-password',
      passwordConfirm: 'carol-password',
      verified: false,
    });
    expect(created.status).toBe(200);
    expect(created.body).not.toHaveProperty('password');
    expect(created.body.verified).toBe(false);
    const { rows } = await pool.query('SELECT password, "tokenKey" FROM users WHERE email = $1', ['carol@example.com']);
    expect(await bcrypt.compare('carol-password', rows[0].password)).toBe(true);
    expect(rows[0].tokenKey).toHaveLength(50);
  });

  it('lets managers (manageRule) skip oldPassword and set verified and email; others cannot', async () => {
    const { collection } = normalizeCollection({
      name: 'members',
      type: 'auth',
      listRule: '',
      viewRule: '',
      updateRule: '@request.auth.id != ""',
      manageRule: '@request.auth.email = "alice@example.com"',
    });
    await app.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
    await pool.query(
      `INSERT INTO members (id, email, password, "tokenKey") VALUES ('m00000000000001', 'm@example.com', 'x', $1)`,
      [randomString(50)],
    );
    const url = '/api/collections/members/records/m00000000000001';
    const byBob = await call('PATCH', url, 'bob', { password: 'new-password-2', passwordConfirm: 'new-password-2' });
    expect((byBob.body.data as Json).oldPassword).toMatchObject({ code: 'validation_required' });
    const bobGuesses = await call('PATCH', url, 'bob', {
      password: 'new-password-2',
      passwordConfirm: 'new-password-2',
      oldPassword: 'a-guess',
    });
    expect((bobGuesses.body.data as Json).oldPassword).toMatchObject({ code: 'validation_invalid_old_password' });
    // A non-manager's change of `verified` or `email` is refused, not silently dropped.
    const bobSets = await call('PATCH', url, 'bob', { verified: true, email: 'bob-took@example.com' });
    expect(bobSets.status).toBe(400);
    expect(bobSets.body.data).toEqual({
      email: expect.objectContaining({ code: 'validation_values_mismatch' }),
      verified: expect.objectContaining({ code: 'validation_values_mismatch' }),
    });
    // The same values as stored are no change, and pass.
    expect((await call('PATCH', url, 'bob', { verified: false, email: 'm@example.com' })).status).toBe(200);
    const unchanged = await pool.query('SELECT email, verified FROM members');
    expect(unchanged.rows).toEqual([{ email: 'm@example.com', verified: false }]);

    const byAlice = await call('PATCH', url, 'alice', {
      password: 'new-password-2',
      passwordConfirm: 'new-password-2',
      verified: true,
      email: 'm2@example.com',
    });
    expect(byAlice.status).toBe(200);
    const { rows } = await pool.query('SELECT email, verified, password FROM members');
    expect(rows[0]).toMatchObject({ email: 'm2@example.com', verified: true });
    expect(await bcrypt.compare('new-password-2', rows[0].password)).toBe(true);

    // Managers also see the email that emailVisibility hides from others.
    expect((await call('GET', url, 'alice')).body.email).toBe('m2@example.com');
    expect((await call('GET', url, 'bob')).body).not.toHaveProperty('email');
    const listed = await call('GET', '/api/collections/members/records', 'alice');
    expect((listed.body.items as Json[])[0].email).toBe('m2@example.com');
  });

  it('needs the old password for a user changing their own', async () => {
    const response = await call('PATCH', `/api/collections/users/records/${ids.alice}`, 'alice', {
      password: 'new-password-1',
      passwordConfirm: 'new-password-1',
    });
    expect(response.status).toBe(400);
    expect((response.body.data as Json).oldPassword).toMatchObject({ code: 'validation_required' });
    const wrong = await call('PATCH', `/api/collections/users/records/${ids.alice}`, 'alice', {
      password: 'new-password-1',
      passwordConfirm: 'new-password-1',
      oldPassword: 'not-the-password',
    });
    expect((wrong.body.data as Json).oldPassword).toMatchObject({ code: 'validation_invalid_old_password' });
  });

  it('lets the manageRule allow `verified` on create, judged on the record as it would be stored', async () => {
    const { collection } = normalizeCollection({
      name: 'staff',
      type: 'auth',
      createRule: '',
      manageRule: '@request.auth.email = "alice@example.com"',
    });
    await app.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
    const body = {
      email: 's@example.com',
      password: 'staff-password',
      passwordConfirm: 'staff-password',
      verified: true,
    };
    const byBob = await call('POST', '/api/collections/staff/records', 'bob', body);
    expect(byBob.body.data).toEqual({ verified: expect.objectContaining({ code: 'validation_values_mismatch' }) });
    expect((await pool.query('SELECT count(*)::int AS n FROM staff')).rows[0].n).toBe(0);
    const byAlice = await call('POST', '/api/collections/staff/records', 'alice', body);
    expect(byAlice.status).toBe(200);
    expect(byAlice.body.verified).toBe(true);
  });
});

describe('deleting a record others point at', () => {
  it('cascades, blocks on required relations, and otherwise clears the reference', async () => {
    const registry = app.get(SchemaRegistry);
    const make = (name: string, required: boolean, cascadeDelete: boolean) =>
      normalizeCollection({
        name,
        fields: [
          { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1, required, cascadeDelete },
        ],
      }).collection;
    await registry.apply(() => [
      { before: null, after: make('cascading', false, true) },
      { before: null, after: make('optional_refs', false, false) },
    ]);
    const victim = await createAuthRecord(app, 'users', 'victim@example.com');
    await pool.query(`INSERT INTO cascading (id, owner) VALUES ('c00000000000001', $1)`, [victim.id]);
    await pool.query(`INSERT INTO optional_refs (id, owner) VALUES ('o00000000000001', $1)`, [victim.id]);
    await pool.query(`UPDATE posts SET author = '' WHERE author = $1`, [victim.id]);

    expect((await call('DELETE', `/api/collections/users/records/${victim.id}`, 'superuser')).status).toBe(204);
    expect((await pool.query('SELECT count(*)::int AS n FROM cascading')).rows[0].n).toBe(0);
    expect((await pool.query('SELECT owner FROM optional_refs')).rows).toEqual([{ owner: '' }]);

    await registry.apply(() => [{ before: null, after: make('required_refs', true, false) }]);
    const kept = await createAuthRecord(app, 'users', 'kept@example.com');
    await pool.query(`INSERT INTO required_refs (id, owner) VALUES ('r00000000000001', $1)`, [kept.id]);
    const refused = await call('DELETE', `/api/collections/users/records/${kept.id}`, 'superuser');
    expect(refused.status).toBe(400);
    expect((await call('GET', `/api/collections/users/records/${kept.id}`, 'superuser')).status).toBe(200);
  });
});
