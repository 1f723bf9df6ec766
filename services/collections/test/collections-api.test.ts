import { type TestDatabase } from '@hivebase/platform/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;
let superuserToken: string;
let userToken: string;

type Json = Record<string, unknown>;
type FieldJson = { id: string; name: string; type: string } & Json;

async function call(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
  url: string,
  body?: unknown,
  token = superuserToken,
) {
  const response = await app.inject({
    method,
    url,
    headers: token ? { authorization: token } : {},
    ...(body === undefined ? {} : { payload: body as Json }),
  });
  return { status: response.statusCode, body: (response.body ? response.json() : {}) as Json };
}

/** Column name → Postgres type of a table, to see what DDL really ran. */
async function columnsOf(table: string): Promise<Record<string, string>> {
  const { rows } = await pool.query<{ column_name: string; data_type: string }>(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1',
    [table],
  );
  return Object.fromEntries(rows.map((row) => [row.column_name, row.data_type]));
}

/** Everything a failed change must leave untouched: metadata and the tables' shapes. */
async function snapshot() {
  const meta = await pool.query('SELECT id, name, data FROM "_collections" ORDER BY id');
  const columns = await pool.query(
    "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
  );
  const indexes = await pool.query("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1");
  return JSON.stringify([meta.rows, columns.rows, indexes.rows]);
}

beforeAll(async () => {
  ({ database, app, pool } = await startCollectionsApp('collections-test'));
  superuserToken = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  userToken = (await createAuthRecord(app, 'users', 'u@example.com')).token;
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe('access', () => {
  it.each([
    ['a guest', '', 401, 'The request requires valid record authorization token.'],
    ['a users record', 'user', 403, 'The authorized record is not allowed to perform this action.'],
    ['a forged token', 'forged', 401, 'The request requires valid record authorization token.'],
  ])('refuses %s', async (_who, which, status, message) => {
    const token = which === 'user' ? userToken : which === 'forged' ? `${superuserToken.slice(0, -4)}AAAA` : '';
    const response = await call('GET', '/api/collections', undefined, token);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ data: {}, message, status });
  });

  it('accepts the superuser token with a Bearer prefix too', async () => {
    expect((await call('GET', '/api/collections', undefined, `Bearer ${superuserToken}`)).status).toBe(200);
  });
});

describe('a fresh database', () => {
  it("holds PocketBase's system collections and users", async () => {
    const { status, body } = await call('GET', '/api/collections?perPage=100');
    expect(status).toBe(200);
    const names = (body.items as Json[]).map((item) => item.name);
    expect(names).toEqual(
      expect.arrayContaining(['_mfas', '_otps', '_externalAuths', '_authOrigins', '_superusers', 'users']),
    );
    expect(body).toMatchObject({ page: 1, perPage: 100, totalItems: 6, totalPages: 1 });
    const superusers = (body.items as Json[]).find((item) => item.name === '_superusers');
    expect(superusers).toMatchObject({
      id: 'pbc_3142635823',
      type: 'auth',
      system: true,
      authToken: { duration: 86400 },
    });
    expect(JSON.stringify(superusers)).not.toContain('secret');
  });

  it('filters and sorts the list on PocketBase columns, with skipTotal', async () => {
    const auth = await call('GET', `/api/collections?filter=${encodeURIComponent("type = 'auth'")}&sort=-name`);
    expect((auth.body.items as Json[]).map((item) => item.name)).toEqual(['users', '_superusers']);
    expect(auth.body).toMatchObject({ totalItems: 2, totalPages: 1 });

    const page = await call(
      'GET',
      `/api/collections?filter=${encodeURIComponent('system = true')}&sort=name&perPage=2&page=2&skipTotal=1`,
    );
    expect((page.body.items as Json[]).map((item) => item.name)).toEqual(['_mfas', '_otps']);
    expect(page.body).toMatchObject({ page: 2, perPage: 2, totalItems: -1, totalPages: -1 });
  });

  it.each([
    ['filter', 'name ='],
    ['filter', 'unknownColumn = 1'],
    ['filter', '@request.auth.id != ""'],
    ['filter', "name = 'x' || data.authToken.secret != ''"],
    ['sort', 'nope'],
    ['sort', 'name;DROP TABLE users'],
  ])('answers a bad %s %j with a 400', async (param, value) => {
    const { status, body } = await call('GET', `/api/collections?${param}=${encodeURIComponent(value)}`);
    expect(status).toBe(400);
    expect(body).toEqual({ data: {}, message: 'Something went wrong while processing your request.', status: 400 });
  });

  it('gives users PocketBase id and rules', async () => {
    const { body } = await call('GET', '/api/collections/users');
    expect(body).toMatchObject({ id: '_pb_users_auth_', listRule: 'id = @request.auth.id', createRule: '' });
  });
});

const EVERY_FIELD_TYPE = [
  { name: 'title', type: 'text', required: true, max: 100 },
  { name: 'views', type: 'number', min: 0 },
  { name: 'published', type: 'bool' },
  { name: 'contact', type: 'email' },
  { name: 'homepage', type: 'url' },
  { name: 'body', type: 'editor' },
  { name: 'publishedAt', type: 'date' },
  { name: 'created', type: 'autodate', onCreate: true },
  { name: 'status', type: 'select', values: ['draft', 'live'], maxSelect: 1 },
  { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
  { name: 'cover', type: 'file', maxSelect: 1 },
  { name: 'gallery', type: 'file', maxSelect: 5 },
  { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
  { name: 'editors', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 10 },
  { name: 'meta', type: 'json' },
  { name: 'secret', type: 'password' },
  { name: 'location', type: 'geoPoint' },
];

describe('schema changes', () => {
  it('creates a collection with every field type and the columns to hold them', async () => {
    const { status, body } = await call('POST', '/api/collections', {
      name: 'posts',
      type: 'base',
      fields: EVERY_FIELD_TYPE,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'posts', type: 'base', system: false, listRule: null });
    expect(Object.keys(body as Json).slice(0, 9)).toEqual([
      'id',
      'listRule',
      'viewRule',
      'createRule',
      'updateRule',
      'deleteRule',
      'name',
      'type',
      'fields',
    ]);
    const fields = body.fields as FieldJson[];
    expect(fields.map((field) => field.name)).toEqual(['id', ...EVERY_FIELD_TYPE.map((field) => field.name)]);
    expect(fields[0]).toMatchObject({ name: 'id', type: 'text', primaryKey: true, system: true });
    expect(await columnsOf('posts')).toEqual({
      id: 'text',
      title: 'text',
      views: 'double precision',
      published: 'boolean',
      contact: 'text',
      homepage: 'text',
      body: 'text',
      publishedAt: 'text',
      created: 'text',
      status: 'text',
      tags: 'ARRAY',
      cover: 'text',
      gallery: 'ARRAY',
      author: 'text',
      editors: 'ARRAY',
      meta: 'jsonb',
      secret: 'text',
      location: 'jsonb',
      __hb_rowid: 'bigint', // the insertion number behind PocketBase's @rowid
    });
  });

  it('renames, swaps, adds and removes fields without losing the others’ data', async () => {
    await pool.query(`INSERT INTO posts (id, title, body, views) VALUES ('p00000000000001', 'Hello', 'Body text', 7)`);
    const before = (await call('GET', '/api/collections/posts')).body.fields as FieldJson[];
    const byName = (name: string) => before.find((field) => field.name === name) as FieldJson;
    const fields = before
      .filter((field) => field.name !== 'homepage')
      .map((field) =>
        field.name === 'title'
          ? { ...field, name: 'body' }
          : field.name === 'body'
            ? { ...field, name: 'title' }
            : field.name === 'views'
              ? { ...field, name: 'hits' }
              : field,
      );
    fields.push({ name: 'subtitle', type: 'text' } as FieldJson);
    const { status, body } = await call('PATCH', '/api/collections/posts', { fields });
    expect(status).toBe(200);
    const after = body.fields as FieldJson[];
    expect(after.find((field) => field.name === 'hits')?.id).toBe(byName('views').id);
    expect(after.find((field) => field.name === 'body')?.id).toBe(byName('title').id);
    const { rows } = await pool.query('SELECT title, body, hits, subtitle FROM posts');
    expect(rows).toEqual([{ title: 'Body text', body: 'Hello', hits: 7, subtitle: '' }]);
    expect(Object.keys(await columnsOf('posts'))).not.toContain('homepage');
  });

  it('switches a select between single and multiple, converting the stored values', async () => {
    await pool.query(`UPDATE posts SET status = 'live'`);
    const fields = ((await call('GET', '/api/collections/posts')).body.fields as FieldJson[]).map((field) =>
      field.name === 'status' ? { ...field, maxSelect: 2 } : field,
    );
    expect((await call('PATCH', '/api/collections/posts', { fields })).status).toBe(200);
    expect((await pool.query('SELECT status FROM posts')).rows).toEqual([{ status: ['live'] }]);
  });

  it('adds a unique index that Postgres then enforces', async () => {
    const { status } = await call('PATCH', '/api/collections/posts', {
      indexes: ['CREATE UNIQUE INDEX `idx_posts_title` ON `posts` (`title`)'],
    });
    expect(status).toBe(200);
    await expect(pool.query(`INSERT INTO posts (id, title) VALUES ('p00000000000002', 'Body text')`)).rejects.toThrow(
      /duplicate key/,
    );
  });

  it('creates a view collection with fields inferred from its query', async () => {
    const { status, body } = await call('POST', '/api/collections', {
      name: 'post_titles',
      type: 'view',
      viewQuery: 'SELECT id, title, hits FROM posts',
    });
    expect(status).toBe(200);
    expect((body.fields as FieldJson[]).map((field) => [field.name, field.type])).toEqual([
      ['id', 'text'],
      ['title', 'editor'], // the former `body`, renamed by the swap above
      ['hits', 'number'],
    ]);
    expect((await pool.query('SELECT title FROM post_titles')).rows).toEqual([{ title: 'Body text' }]);
  });

  it('refuses to delete a collection another one points to, then deletes it once free', async () => {
    await call('POST', '/api/collections', { name: 'tags_source', fields: [{ name: 'label', type: 'text' }] });
    await call('POST', '/api/collections', {
      name: 'tagged',
      fields: [
        { name: 'tag', type: 'relation', collectionId: (await call('GET', '/api/collections/tags_source')).body.id },
      ],
    });
    const refused = await call('DELETE', '/api/collections/tags_source');
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      data: {},
      message: 'Failed to delete collection probably due to existing reference in tagged.',
      status: 400,
    });
    expect((await call('DELETE', '/api/collections/tagged')).status).toBe(204);
    expect((await call('DELETE', '/api/collections/tags_source')).status).toBe(204);
    expect(await columnsOf('tags_source')).toEqual({});
  });

  it('imports a set of collections, all or nothing', async () => {
    const good = { name: 'imported_a', type: 'base', fields: [{ name: 'x', type: 'number' }] };
    const bad = { name: 'imported b', type: 'base' };
    const before = await snapshot();
    const refused = await call('PUT', '/api/collections/import', { collections: [good, bad] });
    expect(refused.status).toBe(400);
    expect(refused.body.data).toMatchObject({ collections: { '1': { name: { code: 'validation_match_invalid' } } } });
    expect(await snapshot()).toBe(before);

    expect((await call('PUT', '/api/collections/import', { collections: [good] })).status).toBe(204);
    expect(await columnsOf('imported_a')).toEqual({ id: 'text', x: 'double precision', __hb_rowid: 'bigint' });
  });

  it('truncates a collection', async () => {
    expect((await call('DELETE', '/api/collections/posts/truncate')).status).toBe(204);
    expect((await pool.query('SELECT count(*)::int AS n FROM posts')).rows).toEqual([{ n: 0 }]);
  });

  it('serves scaffolds for the three collection types', async () => {
    const { body } = await call('GET', '/api/collections/meta/scaffolds');
    expect(Object.keys(body as Json).sort()).toEqual(['auth', 'base', 'view']);
    expect((body.auth as Json).type).toBe('auth');
    expect(((body.auth as Json).fields as FieldJson[]).map((field) => field.name)).toEqual(
      expect.arrayContaining(['id', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified']),
    );
  });
});

describe('rejected changes leave metadata and tables untouched', () => {
  it.each([
    ['an invalid name', { name: 'bad name!' }, 'name', 'validation_match_invalid'],
    ['a duplicate name (any case)', { name: 'POSTS' }, 'name', 'validation_collection_name_exists'],
    // Same name and type give the same default id: still the name's error, before any DDL.
    ['a duplicate name (same case)', { name: 'posts' }, 'name', 'validation_collection_name_exists'],
    ['a name that is a collection id', { name: 'pbc_3142635823' }, 'name', 'validation_collection_name_id_duplicate'],
    ['an internal table name', { name: '_schema_version' }, 'name', 'validation_collection_name_invalid'],
    ['a taken explicit id', { id: '_pb_users_auth_', name: 'x0' }, 'id', 'validation_invalid_or_existing_id'],
    ['a malformed explicit id', { id: 'a b', name: 'x0' }, 'id', 'validation_match_invalid'],
    ['a reserved name', { name: '_collections' }, 'name', 'validation_collection_name_reserved'],
    ['a missing name', { type: 'base' }, 'name', 'validation_required'],
    ['an unknown type', { name: 'x1', type: 'table' }, 'type', 'validation_in_invalid'],
    [
      'duplicate field names',
      {
        name: 'x2',
        fields: [
          { name: 'a', type: 'text' },
          { name: 'A', type: 'bool' },
        ],
      },
      'fields.2.name',
      'validation_duplicated_field_name',
    ],
    [
      'an invalid field name',
      { name: 'x3', fields: [{ name: 'a b', type: 'text' }] },
      'fields.1.name',
      'validation_match_invalid',
    ],
    [
      'a reserved field name',
      { name: 'x4', fields: [{ name: 'expand', type: 'text' }] },
      'fields.1.name',
      'validation_not_in_invalid',
    ],
    [
      'text min > max',
      { name: 'x5', fields: [{ name: 'a', type: 'text', min: 10, max: 5 }] },
      'fields.1.max',
      'validation_min_greater_equal_than_required',
    ],
    [
      'a select without values',
      { name: 'x6', fields: [{ name: 'a', type: 'select', values: [] }] },
      'fields.1.values',
      'validation_required',
    ],
    [
      'a relation to a missing collection',
      { name: 'x7', fields: [{ name: 'a', type: 'relation', collectionId: 'nope' }] },
      'fields.1.collectionId',
      'validation_field_relation_missing_collection',
    ],
    [
      'a bad view query',
      { name: 'x8', type: 'view', viewQuery: 'SELECT nope FROM nowhere' },
      'viewQuery',
      'validation_invalid_view_query',
    ],
    [
      'a view without id',
      { name: 'x9', type: 'view', viewQuery: 'SELECT 1 AS total' },
      'viewQuery',
      'validation_invalid_view_query',
    ],
    [
      'a bad index',
      { name: 'x10', fields: [{ name: 'a', type: 'text' }], indexes: ['CREATE INDEX idx_x ON x10 (missing)'] },
      'indexes.0',
      'validation_invalid_index_expression',
    ],
    [
      'an index with injected SQL',
      { name: 'x11', indexes: ['CREATE INDEX i ON x11 (id); DROP TABLE posts'] },
      'indexes.0',
      'validation_invalid_index_expression',
    ],
  ])('%s → 400', async (_what, payload, path, code) => {
    // Field errors are indexed in the saved field list, where `id` comes first (as PocketBase).
    const before = await snapshot();
    const { status, body } = await call('POST', '/api/collections', payload);
    expect(status).toBe(400);
    expect(body.message).toBe('Failed to create collection.');
    const entry = path.split('.').reduce<unknown>((node, key) => (node as Json | undefined)?.[key], body.data);
    expect(entry).toMatchObject({ code, message: expect.any(String) });
    expect(await snapshot()).toBe(before);
  });

  it.each([
    ['PUT', '/api/collections/import', {}, 'An error occurred while validating the submitted data.'],
    ['PUT', '/api/collections/import', { collections: [{ name: '' }] }, 'Failed to import collections.'],
    ['PATCH', '/api/collections/posts', { fields: 'title' }, 'Failed to update collection.'],
    ['PATCH', '/api/collections/posts', { listRule: 42 }, 'Failed to update collection.'],
    [
      'POST',
      '/api/collections',
      { name: 'x12', fields: [{ name: 'a', type: 'nope' }] },
      'Failed to create collection.',
    ],
  ] as const)('%s %s with a malformed body %j → 400', async (method, url, payload, message) => {
    const before = await snapshot();
    const { status, body } = await call(method, url, payload);
    expect(status).toBe(400);
    expect(body.message).toBe(message);
    expect(Object.keys(body.data as Json).length).toBeGreaterThan(0);
    expect(await snapshot()).toBe(before);
  });

  it.each([[{ collections: 'posts' }], [{ collections: [], deleteMissing: 'yes' }]])(
    'PUT /api/collections/import with a body that does not bind (%j) → 400 without field errors',
    async (payload) => {
      const { status, body } = await call('PUT', '/api/collections/import', payload);
      expect(status).toBe(400);
      expect(body).toEqual({ data: {}, message: 'An error occurred while loading the submitted data.', status: 400 });
    },
  );

  it.each([
    ['POST', '/api/collections', 'Failed to load the collection type data due to invalid formatting.'],
    ['PATCH', '/api/collections/posts', 'Failed to load the submitted data due to invalid formatting.'],
  ] as const)('%s %s with a JSON array body → 400 without field errors', async (method, url, message) => {
    const before = await snapshot();
    const { status, body } = await call(method, url, [{ name: 'as_array' }]);
    expect(status).toBe(400);
    expect(body).toEqual({ data: {}, message, status: 400 });
    expect(await snapshot()).toBe(before);
  });

  it('refuses changing a field type', async () => {
    const fields = ((await call('GET', '/api/collections/posts')).body.fields as FieldJson[]).map((field) =>
      field.name === 'hits' ? { ...field, type: 'text' } : field,
    );
    const before = await snapshot();
    const { status, body } = await call('PATCH', '/api/collections/posts', { fields });
    expect(status).toBe(400);
    expect(JSON.stringify(body.data)).toContain('validation_field_type_change');
    expect(await snapshot()).toBe(before);
  });

  it('refuses renaming or deleting a system collection', async () => {
    expect((await call('PATCH', '/api/collections/_superusers', { name: 'admins' })).status).toBe(400);
    expect((await call('DELETE', '/api/collections/_superusers')).body).toEqual({
      data: {},
      message: 'Failed to delete collection.',
      status: 400,
    });
  });

  it('answers unknown collections with 404', async () => {
    expect((await call('GET', '/api/collections/nope')).status).toBe(404);
    expect((await call('PATCH', '/api/collections/nope', {})).status).toBe(404);
    expect((await call('DELETE', '/api/collections/nope')).status).toBe(404);
  });

  it('rolls back a change whose DDL fails (unique index over duplicate data)', async () => {
    await pool.query(`INSERT INTO imported_a (id, x) VALUES ('i00000000000001', 1), ('i00000000000002', 1)`);
    const before = await snapshot();
    const { status, body } = await call('PATCH', '/api/collections/imported_a', {
      indexes: ['CREATE UNIQUE INDEX idx_x_unique ON imported_a (x)'],
    });
    expect(status).toBe(400);
    expect(JSON.stringify(body.data)).toContain('indexes');
    expect(await snapshot()).toBe(before);
  });
});
