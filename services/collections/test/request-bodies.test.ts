import type { TestDatabase } from '@hivebase/platform/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

type Json = Record<string, unknown>;

const GENERIC = 'Something went wrong while processing your request.';
const UNSUPPORTED = 'Unsupported Content-Type.';
const LOAD = 'An error occurred while loading the submitted data.';

let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;
let root = '';
let noteId = '';

async function call(method: string, url: string, payload?: string, contentType = 'application/json', token = root) {
  const response = await app.inject({
    method: method as 'POST',
    url,
    payload,
    headers: { ...(payload === undefined ? {} : { 'content-type': contentType }), authorization: token },
  });
  return { status: response.statusCode, body: (response.body ? response.json() : null) as Json };
}

const countNotes = async () => Number((await pool.query('SELECT count(*) AS n FROM notes')).rows[0].n);

beforeAll(async () => {
  ({ database, app, pool } = await startCollectionsApp('request-bodies-test'));
  root = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  const notes = {
    name: 'notes',
    type: 'base',
    createRule: '',
    updateRule: '',
    fields: [{ name: 'title', type: 'text' }],
  };
  expect((await call('POST', '/api/collections', JSON.stringify(notes))).status).toBe(200);
  expect((await call('PATCH', '/api/settings', JSON.stringify({ batch: { enabled: true } }))).status).toBe(200);
  noteId = (await call('POST', '/api/collections/notes/records', '{"title":"first"}')).body.id as string;
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

// PocketBase v0.39's handlers: what each answers when BindBody fails on a malformed body and on
// a Content-Type it does not bind (its handler's message, or BindBody's own error passed through).
const ROUTES: [method: string, url: () => string, malformed: string, unsupported: string][] = [
  ['POST', () => '/api/collections/notes/records', GENERIC, UNSUPPORTED],
  ['PATCH', () => `/api/collections/notes/records/${noteId}`, GENERIC, UNSUPPORTED],
  [
    'POST',
    () => '/api/collections',
    'Failed to load the collection type data due to invalid formatting.',
    'Failed to load the collection type data due to invalid formatting.',
  ],
  [
    'PATCH',
    () => '/api/collections/notes',
    'Failed to load the submitted data due to invalid formatting.',
    'Failed to load the submitted data due to invalid formatting.',
  ],
  ['PUT', () => '/api/collections/import', LOAD, UNSUPPORTED],
  ['POST', () => '/api/batch', 'Failed to read the submitted batch data.', 'Failed to read the submitted batch data.'],
  ['PATCH', () => '/api/settings', LOAD, LOAD],
  ['POST', () => '/api/settings/test/email', LOAD, LOAD],
  ['POST', () => '/api/settings/test/s3', LOAD, LOAD],
  ['POST', () => '/api/settings/apple/generate-client-secret', LOAD, LOAD],
  ['POST', () => '/api/backups', LOAD, LOAD],
  ['POST', () => '/api/sql', LOAD, UNSUPPORTED],
];

describe('request bodies that do not bind, answered per route as PocketBase does', () => {
  it.each(ROUTES)('%s %s', async (method, url, malformed, unsupported) => {
    const notes = await countNotes();
    for (const payload of ['{"', '{"title": x}', '[{"title":"a"}]', '"text"', '42']) {
      expect(await call(method, url(), payload), payload).toEqual({
        status: 400,
        body: { data: {}, message: malformed, status: 400 },
      });
    }
    for (const type of ['text/plain', 'application/octet-stream', 'APPLICATION/JSON', 'application/yaml']) {
      expect(await call(method, url(), '{"title":"x"}', type), type).toEqual({
        status: 400,
        body: { data: {}, message: unsupported, status: 400 },
      });
    }
    // Nothing was written by any of them.
    expect(await countNotes()).toBe(notes);
  });

  it('answers what PocketBase checks before it binds the body first', async () => {
    // The collection lookup (404), the superuser guard (401), batches being on (403).
    expect((await call('POST', '/api/collections/missing/records', '{"')).status).toBe(404);
    expect((await call('PATCH', '/api/collections/missing/records/x', 'a', 'text/plain')).status).toBe(404);
    expect((await call('PATCH', '/api/collections/missing', '{"')).status).toBe(404);
    expect((await call('POST', '/api/sql', '{"', 'application/json', '')).status).toBe(401);
    expect((await call('PATCH', '/api/settings', '{"', 'application/json', '')).status).toBe(401);
    expect((await call('PATCH', '/api/settings', JSON.stringify({ batch: { enabled: false } }))).status).toBe(200);
    try {
      expect((await call('POST', '/api/batch', '{"')).status).toBe(403);
    } finally {
      await call('PATCH', '/api/settings', JSON.stringify({ batch: { enabled: true } }));
    }
  });

  it('reads a DELETE body as PocketBase: the delete rule sees it, one that does not read is a 400', async () => {
    const drafts = {
      name: 'drafts',
      type: 'base',
      createRule: '',
      deleteRule: '@request.body.confirm = true',
      fields: [{ name: 'title', type: 'text' }],
    };
    expect((await call('POST', '/api/collections', JSON.stringify(drafts))).status).toBe(200);
    const id = (await call('POST', '/api/collections/drafts/records', '{"title":"d"}', 'application/json', '')).body.id;
    const url = `/api/collections/drafts/records/${id}`;
    expect(await call('DELETE', url, '{"confirm', 'application/json', '')).toEqual({
      status: 400,
      body: { data: {}, message: GENERIC, status: 400 },
    });
    expect(await call('DELETE', url, '{"confirm":true}', 'text/plain', '')).toEqual({
      status: 400,
      body: { data: {}, message: UNSUPPORTED, status: 400 },
    });
    expect((await app.inject({ method: 'DELETE', url })).statusCode).toBe(404);
    expect((await call('DELETE', url, '{"confirm":false}', 'application/json', '')).status).toBe(404);
    expect((await call('DELETE', url, '{"confirm":true}', 'application/json', '')).status).toBe(204);
  });

  it('refuses a prototype-polluting JSON body without writing', async () => {
    const notes = await countNotes();
    const answer = await call('POST', '/api/collections/notes/records', '{"title":"x","__proto__":{"isAdmin":true}}');
    expect(answer).toEqual({ status: 400, body: { data: {}, message: GENERIC, status: 400 } });
    expect(({} as Json).isAdmin).toBeUndefined();
    expect(await countNotes()).toBe(notes);
  });
});

describe('request bodies that bind as PocketBase binds them', () => {
  const create = (payload: string, type?: string) => call('POST', '/api/collections/notes/records', payload, type, '');

  it('reads the first JSON value and leaves the rest unread', async () => {
    const { status, body } = await create('{"title":"kept"} {"title":"ignored"} and more');
    expect(status).toBe(200);
    expect(body.title).toBe('kept');
  });

  it('reads a JSON null as no fields', async () => {
    const { status, body } = await create('null');
    expect(status).toBe(200);
    expect(body.title).toBe('');
  });

  it('binds a form-urlencoded body, @jsonPayload over its fields', async () => {
    const plain = await create('title=from+a+form%21', 'application/x-www-form-urlencoded');
    expect(plain).toMatchObject({ status: 200, body: { title: 'from a form!' } });
    const payload = encodeURIComponent(JSON.stringify({ title: 'from the payload' }));
    const merged = await create(`title=plain&%40jsonPayload=${payload}`, 'application/x-www-form-urlencoded');
    expect(merged).toMatchObject({ status: 200, body: { title: 'from the payload' } });
  });

  it('answers a form-urlencoded body that does not parse as the route does', async () => {
    expect(await create('title=%zz', 'application/x-www-form-urlencoded')).toEqual({
      status: 400,
      body: { data: {}, message: GENERIC, status: 400 },
    });
  });

  it('reads an empty body as no fields, whatever its Content-Type', async () => {
    const { status } = await call('PATCH', `/api/collections/notes/records/${noteId}`, '', 'text/plain', '');
    expect(status).toBe(200);
  });

  it('ignores the body where the handler never binds one (backups upload)', async () => {
    const { status, body } = await call('POST', '/api/backups/upload', 'not a form', 'text/plain');
    expect(status).toBe(400);
    expect(body.data).toHaveProperty('file');
  });
});
