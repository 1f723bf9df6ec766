import { RECORD_CHANGED, type RecordChangedEvent } from '@hivebase/contracts';
import { EVENT_BUS, type EventBus } from '@hivebase/platform';
import { type TestDatabase } from '@hivebase/platform/testing';
import { SchemaRegistry, SettingsService } from '@hivebase/runtime';
import { normalizeCollection, quoteIdent } from '@hivebase/schema';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

type Json = Record<string, unknown>;
type Who = 'superuser' | 'alice' | 'bob' | 'guest';

let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;
const tokens: Record<Who, string> = { superuser: '', alice: '', bob: '', guest: '' };
const ids = { alice: '', bob: '' };

const ENABLED = { enabled: true, maxRequests: 5, timeout: 3, maxBodySize: 0 };

/** `POST /api/batch` as the SDK sends it; `raw` sends a JSON text as is. */
async function batch(body: unknown, who: Who = 'superuser', raw?: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/batch',
    headers: { 'content-type': 'application/json', ...(tokens[who] ? { authorization: tokens[who] } : {}) },
    payload: raw ?? JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.json() as unknown };
}

const post = (collection: string, body: Json, query = '') => ({
  method: 'POST',
  url: `/api/collections/${collection}/records${query}`,
  body,
});

async function titlesOf(table: string): Promise<string[]> {
  const { rows } = await pool.query<{ title: string }>(`SELECT title FROM ${quoteIdent(table)} ORDER BY title`);
  return rows.map((row) => row.title);
}

/** The failure body for sub-request `index`, as PocketBase answers it. */
const failed = (index: number, response: Json) => ({
  data: {
    requests: { [String(index)]: { code: 'batch_request_failed', message: 'Batch request failed.', response } },
  },
  message: 'Batch transaction failed.',
  status: 400,
});

beforeAll(async () => {
  ({ database, app, pool } = await startCollectionsApp('batch-test'));
  tokens.superuser = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  const alice = await createAuthRecord(app, 'users', 'alice@example.com');
  const bob = await createAuthRecord(app, 'users', 'bob@example.com');
  Object.assign(tokens, { alice: alice.token, bob: bob.token });
  Object.assign(ids, { alice: alice.id, bob: bob.id });

  const { collection: notes } = normalizeCollection({
    name: 'notes',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: '',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'n', type: 'number' },
    ],
    indexes: ['CREATE UNIQUE INDEX idx_notes_title ON notes (title)'],
  });
  const owner = 'author = @request.auth.id';
  const { collection: posts } = normalizeCollection({
    name: 'posts',
    listRule: owner,
    viewRule: owner,
    createRule: `@request.auth.id != "" && ${owner}`,
    updateRule: owner,
    deleteRule: owner,
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      { name: 'via', type: 'text' },
    ],
  });
  await app.get(SchemaRegistry).apply(() => [{ before: null, after: notes }]);
  await app.get(SchemaRegistry).apply(() => [{ before: null, after: posts }]);
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

beforeEach(async () => {
  await pool.query('DELETE FROM notes');
  await pool.query('DELETE FROM posts');
  await app.get(SettingsService).update({ batch: ENABLED });
});

describe('settings', () => {
  it('refuses batches while disabled (the default) with 403, even for superusers', async () => {
    await app.get(SettingsService).update({ batch: { enabled: false } });
    const { status, body } = await batch({ requests: [post('notes', { title: 'a' })] });
    expect(status).toBe(403);
    expect(body).toEqual({ data: {}, message: 'Batch requests are not allowed.', status: 403 });
    expect(await titlesOf('notes')).toEqual([]);
  });

  it('turns on through PATCH /api/settings', async () => {
    await app.get(SettingsService).update({ batch: { enabled: false } });
    const patched = await app.inject({
      method: 'PATCH',
      url: '/api/settings',
      headers: { authorization: tokens.superuser },
      payload: { batch: { enabled: true } },
    });
    expect(patched.statusCode).toBe(200);
    expect((await batch({ requests: [post('notes', { title: 'on' })] })).status).toBe(200);
  });

  it('answers 413 when the body is larger than maxBodySize', async () => {
    await app.get(SettingsService).update({ batch: { maxBodySize: 10 } });
    const { status, body } = await batch({ requests: [post('notes', { title: 'big' })] });
    expect(status).toBe(413);
    expect(body).toMatchObject({ data: {}, status: 413 });
    expect(await titlesOf('notes')).toEqual([]);
  });
});

describe('a successful batch', () => {
  it('creates, updates, deletes and upserts in one call, answering [{status, body}] in order', async () => {
    await pool.query(
      `INSERT INTO notes (id, title, n) VALUES ('note00000000001', 'old', 1), ('note00000000002', 'gone', 2)`,
    );
    const { status, body } = await batch({
      requests: [
        post('notes', { title: 'created', n: 5 }),
        { method: 'PATCH', url: '/api/collections/notes/records/note00000000001', body: { n: 10 } },
        { method: 'DELETE', url: '/api/collections/notes/records/note00000000002' },
        { method: 'PUT', url: '/api/collections/notes/records', body: { id: 'note00000000001', title: 'upserted' } },
        { method: 'PUT', url: '/api/collections/notes/records', body: { id: 'note00000000003', title: 'new by id' } },
      ],
    });
    expect(status).toBe(200);
    const results = body as { status: number; body: Json | null }[];
    expect(results.map((result) => result.status)).toEqual([200, 200, 204, 200, 200]);
    expect(results[0].body).toMatchObject({ collectionName: 'notes', title: 'created', n: 5 });
    expect(results[1].body).toMatchObject({ id: 'note00000000001', title: 'old', n: 10 });
    expect(results[2].body).toBeNull();
    // The upsert sees the earlier writes of the same transaction.
    expect(results[3].body).toMatchObject({ id: 'note00000000001', title: 'upserted', n: 10 });
    expect(results[4].body).toMatchObject({ id: 'note00000000003', title: 'new by id', n: 0 });
    expect(await titlesOf('notes')).toEqual(['created', 'new by id', 'upserted']);
  });

  it('creates through an upsert without an id or with an unknown one', async () => {
    const { status, body } = await batch({
      requests: [{ method: 'PUT', url: '/api/collections/notes/records', body: { title: 'no id' } }],
    });
    expect(status).toBe(200);
    expect((body as Json[])[0]).toMatchObject({ status: 200, body: { title: 'no id' } });
    expect(await titlesOf('notes')).toEqual(['no id']);
  });

  it('reads a multipart body with the requests under @jsonPayload, as the SDK sends it', async () => {
    const boundary = '----hivebase-batch';
    const payload = JSON.stringify({ requests: [post('notes', { title: 'from multipart' })] });
    const response = await app.inject({
      method: 'POST',
      url: '/api/batch',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: tokens.superuser },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="@jsonPayload"\r\n\r\n${payload}\r\n--${boundary}--\r\n`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject([{ status: 200, body: { title: 'from multipart' } }]);
  });

  it('honours each sub-request’s expand and fields query parameters', async () => {
    const { status, body } = await batch(
      {
        requests: [
          post('posts', { title: 'expanded', author: ids.alice }, '?expand=author'),
          post('posts', { title: 'trimmed', author: ids.alice }, '?fields=title,id:excerpt(4,true)'),
        ],
      },
      'alice',
    );
    expect(status).toBe(200);
    const [expanded, trimmed] = body as { body: Json }[];
    expect((expanded.body.expand as Json).author).toMatchObject({ id: ids.alice, email: 'alice@example.com' });
    expect(Object.keys(trimmed.body)).toEqual(['id', 'title']);
    expect(trimmed.body.title).toBe('trimmed');
    expect(trimmed.body.id).toMatch(/^.{4}\.\.\.$/);
  });

  it('publishes the record events once committed', async () => {
    const seen: RecordChangedEvent[] = [];
    const unsubscribe = await app.get<EventBus>(EVENT_BUS).subscribe<RecordChangedEvent>(RECORD_CHANGED, (event) => {
      if (event.collectionName === 'notes') seen.push(event);
    });
    try {
      const { status, body } = await batch({
        requests: [post('notes', { title: 'e1' }), post('notes', { title: 'e2' })],
      });
      expect(status).toBe(200);
      const id = ((body as { body: Json }[])[0].body as Json).id;
      await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(2);
      expect(seen.map((event) => [event.action, event.record.title])).toEqual([
        ['create', 'e1'],
        ['create', 'e2'],
      ]);
      expect(seen[0].record.id).toBe(id);
    } finally {
      await unsubscribe();
    }
  });
});

describe('a failing batch', () => {
  it('rolls back the earlier sub-requests and answers with the failing one’s response', async () => {
    await pool.query(`INSERT INTO notes (id, title) VALUES ('note00000000001', 'kept')`);
    const { status, body } = await batch({
      requests: [
        post('notes', { title: 'first' }),
        { method: 'DELETE', url: '/api/collections/notes/records/note00000000001' },
        post('notes', { title: '' }),
        post('notes', { title: 'never' }),
      ],
    });
    expect(status).toBe(400);
    expect(body).toEqual(
      failed(2, {
        data: { title: { code: 'validation_required', message: 'Cannot be blank.' } },
        message: 'Failed to create record.',
        status: 400,
      }),
    );
    expect(await titlesOf('notes')).toEqual(['kept']);
  });

  it('reports a database-level failure (a unique index) after earlier writes in the same transaction', async () => {
    const { status, body } = await batch({
      requests: [post('notes', { title: 'twice' }), post('notes', { title: 'twice' })],
    });
    expect(status).toBe(400);
    expect(body).toEqual(
      failed(1, {
        data: { title: { code: 'validation_not_unique', message: 'Value must be unique.' } },
        message: 'Failed to create record.',
        status: 400,
      }),
    );
    expect(await titlesOf('notes')).toEqual([]);
  });

  it.each([
    ['a route batches cannot call', 'GET', '/api/health'],
    ['a record view', 'GET', '/api/collections/notes/records/note00000000001'],
    ['a create with an id in the path', 'POST', '/api/collections/notes/records/abc'],
    ['an update without an id', 'PATCH', '/api/collections/notes/records'],
    ['another API', 'POST', '/api/collections'],
  ])('fails %s as that sub-request’s plain 400', async (_what, method, url) => {
    const { status, body } = await batch({ requests: [post('notes', { title: 'first' }), { method, url }] });
    expect(status).toBe(400);
    expect(body).toEqual(
      failed(1, { data: {}, message: 'Something went wrong while processing your request.', status: 400 }),
    );
    expect(await titlesOf('notes')).toEqual([]);
  });

  it('fails a missing collection or record with the sub-request’s 404', async () => {
    const missing = await batch({ requests: [post('nope', { title: 'x' })] });
    expect(missing.body).toEqual(failed(0, { data: {}, message: 'Missing collection context.', status: 404 }));
    const gone = await batch({ requests: [{ method: 'DELETE', url: '/api/collections/notes/records/missing' }] });
    expect(gone.body).toEqual(failed(0, { data: {}, message: "The requested resource wasn't found.", status: 404 }));
  });

  it('rolls back on the timeout and answers 400 with empty data', async () => {
    await app.get(SettingsService).update({ batch: { timeout: 1 } });
    await pool.query(`INSERT INTO notes (id, title) VALUES ('note00000000001', 'locked')`);
    // Another transaction holds the row, so the batch's update waits past its timeout.
    const locker = await pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT * FROM notes WHERE id = 'note00000000001' FOR UPDATE`);
      const { status, body } = await batch({
        requests: [
          post('notes', { title: 'before the wait' }),
          { method: 'PATCH', url: '/api/collections/notes/records/note00000000001', body: { n: 1 } },
        ],
      });
      expect(status).toBe(400);
      // Only the batch timeout can end this wait: the row stays locked until the test rolls back.
      expect(body).toEqual({ data: {}, message: 'Batch transaction failed.', status: 400 });
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    await expect.poll(() => titlesOf('notes')).toEqual(['locked']);
    // The pool still serves batches afterwards.
    await app.get(SettingsService).update({ batch: { timeout: 3 } });
    expect((await batch({ requests: [post('notes', { title: 'after' })] })).status).toBe(200);
  });

  it('publishes no record events for a rolled-back batch', async () => {
    const seen: RecordChangedEvent[] = [];
    const unsubscribe = await app.get<EventBus>(EVENT_BUS).subscribe<RecordChangedEvent>(RECORD_CHANGED, (event) => {
      if (event.collectionName === 'notes') seen.push(event);
    });
    try {
      const rolledBack = await batch({ requests: [post('notes', { title: 'ghost' }), post('notes', { title: '' })] });
      expect(rolledBack.status).toBe(400);
      const marker = await batch({ requests: [post('notes', { title: 'marker' })] });
      expect(marker.status).toBe(200);
      // Events go out in commit order: once the marker's arrived, a rolled-back write's would have
      // too. Only this test's titles count: an earlier test's event may still arrive under load.
      const ours = ['ghost', '', 'marker'];
      const titles = () => seen.map((event) => event.record.title).filter((title) => ours.includes(String(title)));
      await expect.poll(() => titles(), { timeout: 10_000 }).toContain('marker');
      expect(titles()).toEqual(['marker']);
    } finally {
      await unsubscribe();
    }
  });
});

describe('rules', () => {
  it('lets rules tell batch sub-requests apart with @request.context', async () => {
    const { collection } = normalizeCollection({
      name: 'batch_only',
      createRule: '@request.context = "batch"',
      fields: [{ name: 'label', type: 'text' }],
    });
    await app.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
    const viaBatch = await batch({ requests: [post('batch_only', { label: 'in batch' })] }, 'alice');
    expect(viaBatch.status).toBe(200);
    const direct = await app.inject({
      method: 'POST',
      url: '/api/collections/batch_only/records',
      headers: { authorization: tokens.alice },
      payload: { label: 'direct' },
    });
    expect(direct.statusCode).toBe(400);
  });

  it('evaluates each sub-request’s rules with the batch caller’s auth', async () => {
    await pool.query(`INSERT INTO posts (id, title, author) VALUES ('post00000000001', 'bobs', $1)`, [ids.bob]);
    const ok = await batch(
      {
        requests: [
          post('posts', { title: 'mine', author: ids.alice }),
          { method: 'PUT', url: '/api/collections/posts/records', body: { title: 'upserted', author: ids.alice } },
        ],
      },
      'alice',
    );
    expect(ok.status).toBe(200);
    // Bob's post is hidden from Alice by the update rule: a 404 that undoes her create.
    const denied = await batch(
      {
        requests: [
          post('posts', { title: 'undone', author: ids.alice }),
          { method: 'PATCH', url: '/api/collections/posts/records/post00000000001', body: { title: 'hijacked' } },
        ],
      },
      'alice',
    );
    expect(denied.body).toEqual(failed(1, { data: {}, message: "The requested resource wasn't found.", status: 404 }));
    expect(await titlesOf('posts')).toEqual(['bobs', 'mine', 'upserted']);
  });

  it('ignores a sub-request’s own Authorization header', async () => {
    const { status, body } = await batch(
      {
        requests: [
          {
            method: 'POST',
            url: '/api/collections/posts/records',
            headers: { Authorization: tokens.bob },
            body: { title: 'as bob?', author: ids.bob },
          },
        ],
      },
      'alice',
    );
    expect(status).toBe(400);
    expect(body).toEqual(failed(0, { data: {}, message: 'Failed to create record.', status: 400 }));
    const guest = await batch({ requests: [post('posts', { title: 'guest', author: ids.alice })] }, 'guest');
    expect(guest.body).toEqual(failed(0, { data: {}, message: 'Failed to create record.', status: 400 }));
    expect(await titlesOf('posts')).toEqual([]);
  });

  it('gives rules the sub-request’s own headers, query and body under @request', async () => {
    const { collection } = normalizeCollection({
      name: 'guarded',
      createRule: '@request.headers.x_token = "letmein" && @request.query.tag = "t1" && @request.body.title = "ok"',
      fields: [{ name: 'title', type: 'text' }],
    });
    await app.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
    const request = (title: string, token: string) => ({
      method: 'POST',
      url: '/api/collections/guarded/records?tag=t1',
      headers: { 'X-Token': token },
      body: { title },
    });
    expect((await batch({ requests: [request('ok', 'letmein')] }, 'guest')).status).toBe(200);
    expect((await batch({ requests: [request('ok', 'wrong')] }, 'guest')).status).toBe(400);
    expect((await batch({ requests: [request('other', 'letmein')] }, 'guest')).status).toBe(400);
  });

  it('lets superusers through locked rules', async () => {
    const { status } = await batch({ requests: [post('posts', { title: 'root', author: ids.bob })] }, 'superuser');
    expect(status).toBe(200);
  });
});

describe('malformed batches', () => {
  const readFailed = { data: {}, message: 'Failed to read the submitted batch data.', status: 400 };
  const invalid = (requests: Json) => ({ data: { requests }, message: 'Invalid batch request data.', status: 400 });
  const required = { code: 'validation_required', message: 'Cannot be blank.' };

  it.each([
    ['a body that is not an object', '[1, 2]'],
    ['a JSON string body', '"requests"'],
    ['requests that is not an array', '{"requests": {"method": "POST"}}'],
    ['a request that is not an object', '{"requests": ["POST /api/collections/notes/records"]}'],
    ['a non-string method', '{"requests": [{"method": 1, "url": "/x"}]}'],
    ['a sub-request body that is not an object', '{"requests": [{"method": "POST", "url": "/x", "body": [1]}]}'],
    ['non-string headers', '{"requests": [{"method": "POST", "url": "/x", "headers": {"a": 1}}]}'],
  ])('refuses %s with 400', async (_what, raw) => {
    const { status, body } = await batch(undefined, 'superuser', raw);
    expect(status).toBe(400);
    expect(body).toEqual(readFailed);
  });

  it('requires at least one request', async () => {
    expect((await batch({})).body).toEqual(invalid(required));
    expect((await batch({ requests: [] })).body).toEqual(invalid(required));
  });

  it('refuses more than maxRequests', async () => {
    const requests = Array.from({ length: 6 }, (_, i) => post('notes', { title: `n${i}` }));
    const { status, body } = await batch({ requests });
    expect(status).toBe(400);
    expect(body).toEqual(
      invalid({
        code: 'validation_length_too_long',
        message: 'The length must be no more than 5.',
        params: { min: 0, max: 5 },
      }),
    );
    expect(await titlesOf('notes')).toEqual([]);
  });

  it('reports each request’s missing or invalid method and url by index', async () => {
    const { status, body } = await batch({
      requests: [
        {},
        { method: 'GET', url: '/valid' },
        { method: 'invalid', url: '/valid' },
        { method: 'POST', url: `/${'a'.repeat(2000)}` },
        { url: '/no-method' },
      ],
    });
    expect(status).toBe(400);
    expect(body).toEqual(
      invalid({
        '0': { method: required, url: required },
        '2': { method: { code: 'validation_in_invalid', message: 'Must be a valid value.' } },
        '3': {
          url: {
            code: 'validation_length_too_long',
            message: 'The length must be no more than 2000.',
            params: { min: 0, max: 2000 },
          },
        },
        '4': { method: required },
      }),
    );
  });
});
