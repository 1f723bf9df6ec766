import { RECORD_CHANGED, type RecordChangedEvent } from '@hivebase/contracts';
import { EVENT_BUS, type EventBus, PG_POOL } from '@hivebase/platform';
import type { TestDatabase } from '@hivebase/platform/testing';
import { SchemaRegistry } from '@hivebase/runtime';
import { normalizeCollection } from '@hivebase/schema';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

type Json = Record<string, unknown>;
let database: TestDatabase;
let app: NestFastifyApplication;
let superuser = '';
const events: RecordChangedEvent[] = [];

async function call(method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: Json) {
  const response = await app.inject({
    method,
    url,
    headers: { authorization: superuser },
    ...(body === undefined ? {} : { payload: body }),
  });
  return { status: response.statusCode, body: (response.body ? response.json() : {}) as Json };
}

const eventsOf = (collectionName: string) => events.filter((event) => event.collectionName === collectionName);

beforeAll(async () => {
  ({ database, app } = await startCollectionsApp('record-write-events-test'));
  superuser = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  const registry = app.get(SchemaRegistry);
  const { collection: counters } = normalizeCollection({
    name: 'counters',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'views', type: 'number', max: 1000 },
    ],
  });
  await registry.apply(() => [{ before: null, after: counters }]);
  const countersId = registry.find('counters')?.id;
  const { collection: notes } = normalizeCollection({
    name: 'notes',
    fields: [
      { name: 'counter', type: 'relation', collectionId: countersId, maxSelect: 1, cascadeDelete: true },
      { name: 'mentions', type: 'relation', collectionId: countersId, maxSelect: 5 },
    ],
  });
  await registry.apply(() => [{ before: null, after: notes }]);
  await app.get<EventBus>(EVENT_BUS).subscribe<RecordChangedEvent>(RECORD_CHANGED, (event) => {
    events.push(event);
  });
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe('record writes and their events', () => {
  it('64 concurrent clients: one event per committed write, in commit order per record', async () => {
    const hot = [];
    for (let i = 0; i < 20; i++)
      hot.push(String((await call('POST', '/api/collections/counters/records', {})).body.id));
    // 10 000 creates and 50 increments of each hot record, interleaved, taken by 64 clients.
    const work: (() => Promise<{ status: number }>)[] = [];
    for (let i = 0; i < 10_000; i++) {
      work.push(() => call('POST', '/api/collections/counters/records', { title: `record ${i}` }));
      if (i % 10 === 0) {
        const id = hot[(i / 10) % hot.length];
        work.push(() => call('PATCH', `/api/collections/counters/records/${id}`, { 'views+': 1 }));
      }
    }
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        for (let next = work.shift(); next; next = work.shift()) statuses.push((await next()).status);
      }),
    );
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    await expect.poll(() => eventsOf('counters').length, { timeout: 60_000, interval: 100 }).toBe(20 + 10_000 + 1_000);
    const all = eventsOf('counters');
    const created = all.filter((event) => event.action === 'create').map((event) => event.record.id);
    expect(created).toHaveLength(10_020);
    expect(new Set(created).size).toBe(10_020);
    for (const id of hot) {
      const updates = all.filter((event) => event.action === 'update' && event.record.id === id);
      // Each increment saw the one before it: the events carry 1, 2, … 50 in that order.
      expect(updates.map((event) => event.record.views)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(updates.map((event) => event.previous?.views)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    }
  }, 300_000);

  it('an update of a record that does not exist is a 404, even with a bad body', async () => {
    const before = events.length;
    const missing = await call('PATCH', '/api/collections/counters/records/missingrecord01', { views: 'x'.repeat(10) });
    expect(missing.status).toBe(404);
    const tooMany = await call('PATCH', '/api/collections/counters/records/missingrecord01', { views: 5000 });
    expect(tooMany.status).toBe(404);
    const created = await call('POST', '/api/collections/counters/records', { views: 1 });
    const invalid = await call('PATCH', `/api/collections/counters/records/${created.body.id}`, { views: 5000 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.data).toMatchObject({ views: { code: 'validation_max_number_constraint' } });
    await expect.poll(() => events.length, { timeout: 10_000 }).toBe(before + 1);
  });

  it('writes collections whose names are the write statement’s own words', async () => {
    for (const name of ['written', 'previous', 'queued']) {
      const { collection } = normalizeCollection({
        name,
        updateRule: 'title != "locked"',
        fields: [{ name: 'title', type: 'text' }],
      });
      await app.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
      const created = await call('POST', `/api/collections/${name}/records`, { title: 'a' });
      expect(created.status).toBe(200);
      const updated = await call('PATCH', `/api/collections/${name}/records/${created.body.id}`, { title: 'b' });
      expect(updated.body).toMatchObject({ title: 'b' });
      expect((await call('DELETE', `/api/collections/${name}/records/${created.body.id}`)).status).toBe(204);
      await expect
        .poll(() => eventsOf(name).map((event) => [event.action, event.record.title]), { timeout: 10_000 })
        .toEqual([
          ['create', 'a'],
          ['update', 'b'],
          ['delete', 'b'],
        ]);
      expect(eventsOf(name)[1]?.previous).toMatchObject({ title: 'a' });
      // The events carry the record's own columns: never the insertion number.
      for (const event of eventsOf(name))
        for (const row of [event.record, event.previous ?? {}]) expect(row).not.toHaveProperty('__hb_rowid');
    }
  });

  it('a user’s update goes through the update rule, @request.body included, in the one statement', async () => {
    const { collection } = normalizeCollection({
      name: 'guarded',
      createRule: '',
      updateRule: '@request.auth.id != "" && @request.body.title != "forbidden" && title != "frozen"',
      fields: [{ name: 'title', type: 'text' }],
    });
    await app.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
    const user = await createAuthRecord(app, 'users', 'guarded-user@example.com');
    const patch = (id: unknown, title: string, token = user.token) =>
      app.inject({
        method: 'PATCH',
        url: `/api/collections/guarded/records/${id}`,
        headers: token ? { authorization: token } : {},
        payload: { title },
      });
    const open = (await call('POST', '/api/collections/guarded/records', { title: 'open' })).body.id;
    const frozen = (await call('POST', '/api/collections/guarded/records', { title: 'frozen' })).body.id;

    expect((await patch(open, 'forbidden')).statusCode).toBe(404);
    expect((await patch(frozen, 'thawed')).statusCode).toBe(404);
    expect((await patch(open, 'by a guest', '')).statusCode).toBe(404);
    const allowed = await patch(open, 'edited');
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json()).toMatchObject({ title: 'edited' });

    const stored = await app.get<Pool>(PG_POOL).query('SELECT id, title FROM guarded ORDER BY title');
    expect(stored.rows).toEqual([
      { id: open, title: 'edited' },
      { id: frozen, title: 'frozen' },
    ]);
    await expect
      .poll(() => eventsOf('guarded').map((event) => [event.action, event.record.title]), { timeout: 10_000 })
      .toEqual([
        ['create', 'open'],
        ['create', 'frozen'],
        ['update', 'edited'],
      ]);
  });

  it('a delete announces the records it cascades to and the ones it unlinks', async () => {
    const target = String((await call('POST', '/api/collections/counters/records', { title: 'target' })).body.id);
    const other = String((await call('POST', '/api/collections/counters/records', { title: 'other' })).body.id);
    const owned = await call('POST', '/api/collections/notes/records', { counter: target });
    const mentioning = await call('POST', '/api/collections/notes/records', {
      counter: other,
      mentions: [target, other],
    });
    // Events arrive after commit: start counting once the creates above have all been announced.
    await expect
      .poll(() => events.some((event) => event.record.id === mentioning.body.id), { timeout: 10_000 })
      .toBe(true);
    const before = events.length;

    expect((await call('DELETE', `/api/collections/counters/records/${target}`)).status).toBe(204);

    await expect.poll(() => events.length, { timeout: 10_000 }).toBe(before + 3);
    const announced = events.slice(before).map((event) => [event.action, event.collectionName, event.record.id]);
    expect(announced).toEqual(
      expect.arrayContaining([
        ['delete', 'notes', owned.body.id],
        ['update', 'notes', mentioning.body.id],
        ['delete', 'counters', target],
      ]),
    );
    const unlinked = events.slice(before).find((event) => event.action === 'update');
    expect(unlinked?.record.mentions).toEqual([other]);
  });
});
