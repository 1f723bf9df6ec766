import { type TestDatabase } from '@hivebase/platform/testing';
import { SchemaRegistry } from '@hivebase/runtime';
import { normalizeCollection } from '@hivebase/schema';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

type Json = Record<string, unknown>;
let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;
const tokens: Record<'superuser' | 'alice', string> = { superuser: '', alice: '' };
const users = { alice: '', bob: '', carol: '', dave: '' };
const LABELS = Array.from({ length: 50 }, (_, i) => `l${i}`);
const ITEM = 'i00000000000001';
const url = `/api/collections/items/records/${ITEM}`;

async function call(method: 'POST' | 'PATCH', path: string, who: keyof typeof tokens, body: Json) {
  const response = await app.inject({ method, url: path, headers: { authorization: tokens[who] }, payload: body });
  return { status: response.statusCode, body: response.json() as Json };
}

const patch = (body: Json, who: keyof typeof tokens = 'superuser') => call('PATCH', url, who, body);

async function stored(): Promise<Json> {
  const { rows } = await pool.query<Json>('SELECT * FROM items WHERE id = $1', [ITEM]);
  return rows[0];
}

beforeAll(async () => {
  ({ database, app, pool } = await startCollectionsApp('record-modifiers-test'));
  tokens.superuser = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  const alice = await createAuthRecord(app, 'users', 'alice@example.com');
  tokens.alice = alice.token;
  users.alice = alice.id;
  for (const name of ['bob', 'carol', 'dave'] as const)
    users[name] = (await createAuthRecord(app, 'users', `${name}@example.com`)).id;

  const { collection: items } = normalizeCollection({
    name: 'items',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'slug', type: 'text', autogeneratePattern: '[a-z0-9]{6}' },
      { name: 'views', type: 'number', min: 1, max: 1000 },
      { name: 'stock', type: 'number', onlyInt: true },
      { name: 'tags', type: 'select', values: ['a', 'b', 'c', 'd'], maxSelect: 4 },
      { name: 'labels', type: 'select', values: LABELS, maxSelect: LABELS.length },
      { name: 'status', type: 'select', values: ['draft', 'live'], maxSelect: 1 },
      { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      { name: 'members', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 3 },
      { name: 'doc', type: 'file', maxSelect: 2 },
      { name: 'secret', type: 'number', hidden: true },
      { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
    ],
  });
  await app.get(SchemaRegistry).apply(() => [{ before: null, after: items }]);
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

// Every test starts from the same row.
beforeEach(async () => {
  await pool.query('DELETE FROM items');
  await pool.query(
    `INSERT INTO items (id, title, views, stock, tags, labels, status, owner, members, secret)
     VALUES ($1, 'first', 3, 2, '{b}', '{}', 'draft', $2, $3, 7)`,
    [ITEM, users.alice, [users.alice]],
  );
});

describe('list modifiers on update', () => {
  it.each([
    ['appends without duplicates', { 'tags+': ['c', 'b', 'c'] }, { tags: ['b', 'c'] }],
    ['prepends (a prepended value moves first)', { '+tags': ['a', 'b'] }, { tags: ['a', 'b'] }],
    ['removes', { 'tags-': 'b' }, { tags: [] }],
    [
      'applies several modifiers in one body',
      { '+tags': 'a', 'tags+': ['d'], 'tags-': ['b', 'x'] },
      { tags: ['a', 'd'] },
    ],
    ['applies the plain value first, then the modifier', { 'tags+': 'c', tags: ['a'] }, { tags: ['a', 'c'] }],
    ['sets a single select with `+`', { 'status+': 'live' }, { status: 'live' }],
    ['keeps a single select on `-` of another value', { 'status-': 'live' }, { status: 'draft' }],
    ['clears a single select on `-` of its value', { 'status-': 'draft' }, { status: '' }],
    ['keeps a single value on prepend, as PocketBase', { '+status': 'live' }, { status: 'draft' }],
    ['appends relation ids', { 'members+': 'BOB' }, { members: ['ALICE', 'BOB'] }],
    ['prepends and removes relation ids', { '+members': 'CAROL', 'members-': 'ALICE' }, { members: ['CAROL'] }],
    ['sets a single relation with `+`', { 'owner+': 'BOB' }, { owner: 'BOB' }],
    ['clears a single relation with `-`', { 'owner-': 'ALICE' }, { owner: '' }],
  ])('%s', async (_what, body, expected) => {
    const { status, body: record } = await patch(withUserIds(body));
    expect(status).toBe(200);
    expect(record).toMatchObject(withUserIds(expected));
    expect(await stored()).toMatchObject(withUserIds(expected));
  });

  it.each([
    ['a select value not in the list', { 'tags+': 'z' }, 'tags', 'validation_invalid_value'],
    ['too many values', { 'members+': ['BOB', 'CAROL', 'DAVE'] }, 'members', 'validation_too_many_values'],
    ['a missing relation record', { 'members+': 'missing00000000' }, 'members', 'validation_missing_rel_records'],
    ['a missing single relation record', { 'owner+': 'missing00000000' }, 'owner', 'validation_missing_rel_records'],
  ])('refuses %s in the final list and keeps the row', async (_what, body, field, code) => {
    const before = await stored();
    const { status, body: error } = await patch(withUserIds(body));
    expect(status).toBe(400);
    expect(error).toMatchObject({ message: 'Failed to update record.', data: { [field]: { code } } });
    expect(await stored()).toEqual(before);
  });
});

describe('number modifiers on update', () => {
  it.each([
    ['adds', { 'views+': 4 }, 7],
    ['subtracts', { 'views-': 1 }, 2],
    ['takes numeric strings', { 'views+': '10', 'views-': '0.5' }, 12.5],
    ['applies the plain value first', { 'views+': 5, views: 10 }, 15],
    ['reaches 0 (the empty value, which min allows)', { 'views-': 3 }, 0],
  ])('%s', async (_what, body, views) => {
    const { status, body: record } = await patch(body);
    expect(status).toBe(200);
    expect(record.views).toBe(views);
    expect((await stored()).views).toBe(views);
  });

  it.each([
    ['below min', { 'views-': 5 }, 'views', 'validation_min_number_constraint'],
    ['above max', { 'views+': 998 }, 'views', 'validation_max_number_constraint'],
    ['a decimal on an onlyInt field', { 'stock+': 0.5 }, 'stock', 'validation_only_int_constraint'],
  ])('refuses a result %s with the field error and rolls back', async (_what, body, field, code) => {
    const before = await stored();
    const { status, body: error } = await patch({ ...body, title: 'changed too' });
    expect(status).toBe(400);
    expect(error).toMatchObject({ message: 'Failed to update record.', data: { [field]: { code } } });
    expect(await stored()).toEqual(before);
  });
});

describe('modifiers on create', () => {
  it('apply to the empty value, and `:autogenerate` prefixes a generated value', async () => {
    const { status, body } = await call('POST', '/api/collections/items/records', 'alice', {
      'views+': 4,
      'views-': '1',
      'tags+': ['a', 'b'],
      '+tags': 'c',
      'status+': 'live',
      'members+': [users.bob],
      'slug:autogenerate': 'post-',
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ views: 3, tags: ['c', 'a', 'b'], status: 'live', members: [users.bob] });
    expect(body.slug).toMatch(/^post-[a-z0-9]{6}$/);
  });

  it('validate the result like a plain value', async () => {
    const { status, body } = await call('POST', '/api/collections/items/records', 'alice', { 'views-': 2 });
    expect(status).toBe(400);
    expect(body).toMatchObject({ data: { views: { code: 'validation_min_number_constraint' } } });
  });
});

describe('autogenerate, unknown keys, hidden and file fields', () => {
  it('regenerates a text value on update with `:autogenerate`', async () => {
    const { status, body } = await patch({ 'slug:autogenerate': '' });
    expect(status).toBe(200);
    expect(body.slug).toMatch(/^[a-z0-9]{6}$/);
  });

  it('ignores keys no field setter knows, as PocketBase', async () => {
    const before = await stored();
    const { status } = await patch({
      'title+': 'x',
      '+views': 1,
      'views:autogenerate': 'x',
      'nope-': 1,
      '+tags+': 'a',
    });
    expect(status).toBe(200);
    expect({ ...(await stored()), updated: before.updated }).toEqual(before);
  });

  it('drops modifiers on hidden fields for non-superusers', async () => {
    expect((await patch({ 'secret+': 5 }, 'alice')).status).toBe(200);
    expect((await stored()).secret).toBe(7);
    expect((await patch({ 'secret+': 5 }, 'superuser')).status).toBe(200);
    expect((await stored()).secret).toBe(12);
  });

  it.each(['doc+', '+doc'])('refuses a file name the record does not have through %s', async (key) => {
    const { status, body } = await patch({ [key]: 'a.txt' });
    expect(status).toBe(400);
    expect(body).toMatchObject({ data: { doc: { code: 'validation_invalid_file' } } });
  });

  it('takes `doc-` of a name the record does not have as nothing to remove', async () => {
    expect((await patch({ 'doc-': 'a.txt' })).status).toBe(200);
  });
});

describe('concurrent modifiers', () => {
  it('adds exactly 100 with 100 parallel `views+: 1`', async () => {
    const responses = await Promise.all(Array.from({ length: 100 }, () => patch({ 'views+': 1 })));
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    expect((await stored()).views).toBe(103);
  });

  it('keeps every one of 50 parallel `labels+` once', async () => {
    const responses = await Promise.all(LABELS.map((label) => patch({ 'labels+': label })));
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    const labels = (await stored()).labels as string[];
    expect(labels).toHaveLength(LABELS.length);
    expect([...labels].sort()).toEqual([...LABELS].sort());
  });
});

describe('rules see the body with its modifiers resolved (PocketBase ReplaceModifiers)', () => {
  beforeAll(async () => {
    const { collection: guarded } = normalizeCollection({
      name: 'guarded',
      listRule: '',
      viewRule: '',
      // The owner may not be moved by anybody but a superuser; n may never be 7.
      createRule: '@request.body.n != 7',
      updateRule: '@request.auth.id != "" && (@request.body.owner:isset = false || @request.body.owner = owner)',
      fields: [
        { name: 'n', type: 'number' },
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
        { name: 'members', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 3 },
      ],
    });
    await app.get(SchemaRegistry).apply(() => [{ before: null, after: guarded }]);
    await pool.query(`INSERT INTO guarded (id, n, owner, members) VALUES ('g00000000000001', 1, $1, $2)`, [
      users.bob,
      [users.bob],
    ]);
  });
  const guardedUrl = '/api/collections/guarded/records/g00000000000001';

  it.each([
    ['plain', { owner: 'ALICE' }],
    ['append', { 'owner+': 'ALICE' }],
    ['remove', { 'owner-': 'BOB' }],
  ])('refuses moving the owner with a %s key like the plain one (404)', async (_kind, body) => {
    const response = await call('PATCH', guardedUrl, 'alice', withUserIds(body));
    expect(response.status).toBe(404);
    const { rows } = await pool.query('SELECT owner FROM guarded');
    expect(rows[0].owner).toBe(users.bob);
  });

  it('still lets modifiers through when their result passes the rule', async () => {
    // `owner+` of the current owner leaves it as it is.
    expect((await call('PATCH', guardedUrl, 'alice', withUserIds({ 'owner+': 'BOB', 'n+': 2 }))).status).toBe(200);
    expect((await pool.query('SELECT n FROM guarded')).rows[0].n).toBe(3);
  });

  it.each([
    ['plain', { n: 7 }],
    ['add', { 'n+': 7 }],
    ['subtract', { 'n-': -7 }],
    ['plain then add', { n: 3, 'n+': 4 }],
  ])('refuses a create whose %s body makes n = 7 (400)', async (_kind, body) => {
    const response = await call('POST', '/api/collections/guarded/records', 'alice', body);
    expect(response.status).toBe(400);
    expect((await pool.query('SELECT count(*)::int AS n FROM guarded WHERE n = 7')).rows[0].n).toBe(0);
  });
});

/** Test tables name users in capitals (their ids exist only once the app runs). */
function withUserIds(value: Json): Json {
  const swap = (item: unknown): unknown =>
    typeof item === 'string' && item in NAMES ? users[NAMES[item]] : Array.isArray(item) ? item.map(swap) : item;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, swap(item)]));
}

const NAMES: Record<string, keyof typeof users> = { ALICE: 'alice', BOB: 'bob', CAROL: 'carol', DAVE: 'dave' };
