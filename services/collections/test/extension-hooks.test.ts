import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECORD_CHANGED, type RecordChangedEvent } from '@hivebase/contracts';
import { EVENT_BUS, type EventBus } from '@hivebase/platform';
import type { TestDatabase } from '@hivebase/platform/testing';
import { SchemaRegistry, SettingsService } from '@hivebase/runtime';
import { normalizeCollection } from '@hivebase/schema';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

type Json = Record<string, unknown>;

// Model hooks on `items` (the writer's side of framework mode): changes validated and written,
// refusals and failures rolled back, after-success/error hooks around batches. `log` is read back
// through a route of the same extension.
const EXTENSION = `
const { defineExtension, badRequestError, routes, requireSuperuserAuth } = require('hivebase');
const log = [];
module.exports = defineExtension({
  routes: [routes.get('/api/test/log', () => log.splice(0), requireSuperuserAuth())],
  hooks: {
    onRecordCreate: { collections: ['items'], handler: async (e) => {
      if (e.record.title === 'refuse') throw badRequestError('No refusals here.');
      if (e.record.title === 'bad count') e.record.count = 5000;
      if (e.record.title === 'skip') return;
      e.record.title = String(e.record.title).toUpperCase();
      await e.next();
      if (e.record.title === 'FAIL AFTER') throw new Error('failed after the insert');
    } },
    onRecordUpdate: { collections: ['items'], handler: async (e) => {
      log.push({ hook: 'update', before: e.original.title, submitted: e.record.title });
      e.record.count = Number(e.record.count) + 100;
      await e.next();
    } },
    onRecordDelete: { collections: ['items'], handler: async (e) => {
      if (e.record.title === 'KEEP') throw badRequestError('This one stays.');
      await e.next();
    } },
    onRecordAfterCreateSuccess: { collections: ['items'], handler: async (e) => {
      const stored = await e.app.findRecordById('items', e.record.id);
      log.push({ hook: 'success', title: e.record.title, committed: stored !== null });
      await e.next();
    } },
    onRecordAfterCreateError: { collections: ['items'], handler: async (e) => {
      log.push({ hook: 'error', title: e.record.title, error: e.error.message });
      await e.next();
    } },
    // Request hooks on \`notes\` only: they run for the records API and for each batch sub-request.
    onRecordCreateRequest: { collections: ['notes'], handler: async (e) => {
      log.push({ hook: 'createRequest', title: e.body.title, method: e.request.method, url: e.request.url,
        auth: e.auth && e.auth.isSuperuser });
      if (e.body.title === 'refused') throw badRequestError('No such note.');
      e.body.title = e.body.title + '!';
      await e.next();
      if (e.record) e.record.seen = true;
    } },
    onRecordUpdateRequest: { collections: ['notes'], handler: async (e) => {
      log.push({ hook: 'updateRequest', id: e.id, title: e.body.title });
      await e.next();
    } },
    onRecordDeleteRequest: { collections: ['notes'], handler: async (e) => {
      log.push({ hook: 'deleteRequest', id: e.id });
      if (e.request.query.keep === '1') throw badRequestError('Kept.');
      await e.next();
    } },
  },
});
`;

let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;
let superuser = '';
let dir = '';
const events: RecordChangedEvent[] = [];

async function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  const response = await app.inject({
    method,
    url,
    headers: { authorization: superuser },
    ...(body === undefined ? {} : { payload: body as Json }),
  });
  return { status: response.statusCode, body: (response.body ? response.json() : {}) as Json };
}

const titles = async () =>
  (await pool.query<{ title: string }>('SELECT title FROM items ORDER BY title')).rows.map((row) => row.title);
const itemEvents = () => events.filter((event) => event.collectionName === 'items');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hb-hooks-test-'));
  writeFileSync(join(dir, 'items.js'), EXTENSION);
  ({ database, app, pool } = await startCollectionsApp('extension-hooks-test', { HB_HOOKS_DIR: dir }));
  superuser = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  const { collection } = normalizeCollection({
    name: 'items',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: '',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'count', type: 'number', max: 1000 },
    ],
  });
  const notes = normalizeCollection({
    name: 'notes',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: '',
    fields: [{ name: 'title', type: 'text' }],
  }).collection;
  await app.get(SchemaRegistry).apply(() => [
    { before: null, after: collection },
    { before: null, after: notes },
  ]);
  await app.get(SettingsService).update({ batch: { enabled: true, maxRequests: 10, timeout: 3, maxBodySize: 0 } });
  await app.get<EventBus>(EVENT_BUS).subscribe<RecordChangedEvent>(RECORD_CHANGED, (event) => void events.push(event));
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await pool.query('DELETE FROM items');
  await pool.query('DELETE FROM notes');
  await call('GET', '/api/test/log');
  events.length = 0;
});

describe('model hooks', () => {
  it('write what a hook changed, and announce the record as written after commit', async () => {
    const created = await call('POST', '/api/collections/items/records', { title: 'lower', count: 1 });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ title: 'LOWER', count: 1 });
    expect(await titles()).toEqual(['LOWER']);
    expect((await call('GET', '/api/test/log')).body).toEqual([{ hook: 'success', title: 'LOWER', committed: true }]);
    await expect.poll(() => itemEvents().map((event) => event.record.title)).toEqual(['LOWER']);
  });

  it('validate a hook’s change as input: a bad value is a 400 on its field, nothing written', async () => {
    const created = await call('POST', '/api/collections/items/records', { title: 'bad count' });
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject({ status: 400, data: { count: { code: 'validation_max_number_constraint' } } });
    expect(await titles()).toEqual([]);
  });

  it('refuse with the hook’s 400, write nothing and queue no event', async () => {
    const refused = await call('POST', '/api/collections/items/records', { title: 'refuse' });
    expect(refused).toEqual({ status: 400, body: { data: {}, message: 'No refusals here.', status: 400 } });
    const failed = await call('POST', '/api/collections/items/records', { title: 'fail after' });
    expect(failed.status).toBe(500);
    await call('POST', '/api/collections/items/records', { title: 'after' });
    expect(await titles()).toEqual(['AFTER']);
    await expect.poll(() => itemEvents().length).toBe(1);
    expect(itemEvents()[0].record.title).toBe('AFTER');
    const { body: log } = await call('GET', '/api/test/log');
    expect(log).toEqual(
      expect.arrayContaining([
        { hook: 'error', title: 'refuse', error: 'No refusals here.' },
        { hook: 'error', title: 'FAIL AFTER', error: 'failed after the insert' },
      ]),
    );
  });

  it('skip the write when a hook does not call next()', async () => {
    const skipped = await call('POST', '/api/collections/items/records', { title: 'skip' });
    expect(skipped.status).toBe(200);
    expect(await titles()).toEqual([]);
    expect((await call('GET', '/api/test/log')).body).toEqual([]);
  });

  it('see the stored record on update and may change more than was submitted', async () => {
    const { body } = await call('POST', '/api/collections/items/records', { title: 'u', count: 1 });
    await call('GET', '/api/test/log');
    const updated = await call('PATCH', `/api/collections/items/records/${body.id}`, { title: 'v' });
    expect(updated.body).toMatchObject({ title: 'v', count: 101 });
    expect((await call('GET', '/api/test/log')).body).toEqual([{ hook: 'update', before: 'U', submitted: 'v' }]);
  });

  it('may refuse a delete, which leaves the record', async () => {
    const { body } = await call('POST', '/api/collections/items/records', { title: 'keep' });
    const refused = await call('DELETE', `/api/collections/items/records/${body.id}`);
    expect(refused).toEqual({ status: 400, body: { data: {}, message: 'This one stays.', status: 400 } });
    expect(await titles()).toEqual(['KEEP']);
  });

  it('run for batch writes; after-success waits for the batch to commit, a failed batch calls error hooks', async () => {
    const create = (title: string) => ({ method: 'POST', url: '/api/collections/items/records', body: { title } });
    const ok = await call('POST', '/api/batch', { requests: [create('one'), create('two')] });
    expect(ok.status).toBe(200);
    expect(await titles()).toEqual(['ONE', 'TWO']);
    expect((await call('GET', '/api/test/log')).body).toEqual([
      { hook: 'success', title: 'ONE', committed: true },
      { hook: 'success', title: 'TWO', committed: true },
    ]);
    const failed = await call('POST', '/api/batch', { requests: [create('three'), create('refuse')] });
    expect(failed.status).toBe(400);
    expect(await titles()).toEqual(['ONE', 'TWO']);
    expect((await call('GET', '/api/test/log')).body).toEqual([
      { hook: 'error', title: 'refuse', error: 'No refusals here.' },
      { hook: 'error', title: 'THREE', error: 'rolled back with its transaction' },
    ]);
  });
});

describe('request hooks in a batch', () => {
  const notes = async () =>
    (await pool.query<{ title: string }>('SELECT title FROM notes ORDER BY title')).rows.map((row) => row.title);
  const createNote = (title: string, url = '/api/collections/notes/records') => ({
    method: 'POST',
    url,
    body: { title },
  });

  it('run the create-request hook once per sub-request, with its changes written and answered', async () => {
    const ok = await call('POST', '/api/batch', {
      requests: [createNote('a'), createNote('b', '/api/collections/notes/records?fields=title,seen'), createNote('x')],
    });
    expect(ok.status).toBe(200);
    const results = ok.body as unknown as { status: number; body: Json }[];
    expect(results.map((result) => result.status)).toEqual([200, 200, 200]);
    expect(results[0].body).toMatchObject({ title: 'a!', seen: true });
    expect(results[1].body).toEqual({ title: 'b!', seen: true });
    expect(await notes()).toEqual(['a!', 'b!', 'x!']);
    expect((await call('GET', '/api/test/log')).body).toEqual([
      { hook: 'createRequest', title: 'a', method: 'POST', url: '/api/collections/notes/records', auth: true },
      {
        hook: 'createRequest',
        title: 'b',
        method: 'POST',
        url: '/api/collections/notes/records?fields=title,seen',
        auth: true,
      },
      { hook: 'createRequest', title: 'x', method: 'POST', url: '/api/collections/notes/records', auth: true },
    ]);
  });

  it('fail the whole batch with the refusing sub-request’s 400, nothing written', async () => {
    const failed = await call('POST', '/api/batch', { requests: [createNote('first'), createNote('refused')] });
    expect(failed.status).toBe(400);
    expect(failed.body).toMatchObject({
      message: 'Batch transaction failed.',
      data: {
        requests: {
          '1': {
            code: 'batch_request_failed',
            response: { status: 400, message: 'No such note.', data: {} },
          },
        },
      },
    });
    expect(await notes()).toEqual([]);
    expect((await call('GET', '/api/test/log')).body).toHaveLength(2);
  });

  it('run update-request and delete-request hooks, upserts as the route they turn into; other collections unhooked', async () => {
    const { body: note } = await call('POST', '/api/collections/notes/records', { title: 'n' });
    await call('GET', '/api/test/log');
    const ok = await call('POST', '/api/batch', {
      requests: [
        { method: 'PATCH', url: `/api/collections/notes/records/${note.id}`, body: { title: 'patched' } },
        { method: 'PUT', url: '/api/collections/notes/records', body: { id: note.id, title: 'upserted' } },
        { method: 'PUT', url: '/api/collections/notes/records', body: { title: 'new' } },
        { method: 'POST', url: '/api/collections/items/records', body: { title: 'item' } },
      ],
    });
    expect(ok.status).toBe(200);
    expect(await notes()).toEqual(['new!', 'upserted']);
    const log = (await call('GET', '/api/test/log')).body as unknown as Json[];
    expect(log.filter((entry) => entry.hook !== 'success')).toEqual([
      { hook: 'updateRequest', id: note.id, title: 'patched' },
      { hook: 'updateRequest', id: note.id, title: 'upserted' },
      { hook: 'createRequest', title: 'new', method: 'PUT', url: '/api/collections/notes/records', auth: true },
    ]);

    const kept = await call('POST', '/api/batch', {
      requests: [
        { method: 'DELETE', url: `/api/collections/notes/records/${note.id}` },
        { method: 'DELETE', url: `/api/collections/notes/records/${note.id}?keep=1` },
      ],
    });
    expect(kept.status).toBe(400);
    expect(kept.body).toMatchObject({ data: { requests: { '1': { response: { message: 'Kept.' } } } } });
    expect(await notes()).toEqual(['new!', 'upserted']);
    expect((await call('GET', '/api/test/log')).body).toEqual([
      { hook: 'deleteRequest', id: note.id },
      { hook: 'deleteRequest', id: note.id },
    ]);
  });
});
