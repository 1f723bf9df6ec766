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
  await app.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
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
