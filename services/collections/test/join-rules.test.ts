import type { TestDatabase } from '@hivebase/platform/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

// Filters and sorts through joined collections, as an attacker with an ordinary account: what the
// joined collections' list rules hide and emails that are not visible must change no answer.
// `users` keeps its default rule (`id = @request.auth.id`); notes are their owner's only.

type Json = Record<string, unknown>;
let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;
const tokens = { superuser: '', alice: '', bob: '' };
const ids = { alice: '', bob: '' };

async function call(method: 'GET' | 'POST', url: string, who: keyof typeof tokens, body?: Json) {
  const response = await app.inject({
    method,
    url,
    headers: { authorization: tokens[who] },
    ...(body === undefined ? {} : { payload: body }),
  });
  return { status: response.statusCode, body: response.json() as Json };
}

/** Ids of the records `who` lists with these query parameters (fails on any non-200). */
async function list(collection: string, who: keyof typeof tokens, query: Record<string, string>): Promise<string[]> {
  const { status, body } = await call(
    'GET',
    `/api/collections/${collection}/records?${new URLSearchParams(query)}`,
    who,
  );
  expect(status, JSON.stringify(body)).toBe(200);
  return (body.items as Json[]).map((item) => String(item.id));
}

async function createCollection(body: Json): Promise<string> {
  const { status, body: created } = await call('POST', '/api/collections', 'superuser', body);
  expect(status, JSON.stringify(created)).toBe(200);
  return String(created.id);
}

beforeAll(async () => {
  ({ database, app, pool } = await startCollectionsApp('join-rules-test'));
  tokens.superuser = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  const alice = await createAuthRecord(app, 'users', 'alice@example.com');
  const bob = await createAuthRecord(app, 'users', 'bob@example.com');
  Object.assign(tokens, { alice: alice.token, bob: bob.token });
  Object.assign(ids, { alice: alice.id, bob: bob.id });
  await pool.query(`UPDATE users SET name = CASE WHEN id = $1 THEN 'Alice' ELSE 'Bob' END`, [ids.alice]);

  const people = await createCollection({ name: 'people', type: 'auth', listRule: '', viewRule: '' });
  const projects = await createCollection({
    name: 'projects',
    listRule: '',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'contacts', type: 'relation', collectionId: people, maxSelect: 5 },
    ],
  });
  await createCollection({
    name: 'notes',
    listRule: 'owner = @request.auth.id',
    fields: [
      { name: 'body', type: 'text' },
      { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      { name: 'project', type: 'relation', collectionId: projects, maxSelect: 1 },
    ],
  });
  const person = `INSERT INTO people (id, email, "emailVisibility", password, "tokenKey") VALUES ($1, $2, $3, 'x', $1)`;
  await pool.query(person, ['pe1000000000001', 'a@example.com', true]);
  await pool.query(person, ['pe2000000000002', 'b@example.com', false]);
  await pool.query(person, ['pe3000000000003', 'c@example.com', true]);
  await pool.query(`INSERT INTO projects (id, title, contacts) VALUES ('pr1000000000001', 'shared', $1)`, [
    ['pe3000000000003', 'pe2000000000002'],
  ]);
  const note = 'INSERT INTO notes (id, body, owner, project) VALUES ($1, $2, $3, $4)';
  await pool.query(note, ['no1000000000001', 'alpha', ids.alice, 'pr1000000000001']);
  await pool.query(note, ['no2000000000002', 'zebra secret', ids.bob, 'pr1000000000001']);
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe('filters through joined collections', () => {
  it("does not find Bob's note through a back-relation", async () => {
    const query = { filter: 'notes_via_project.body ?~ "secret"' };
    expect(await list('projects', 'alice', query)).toEqual([]);
    expect(await list('projects', 'superuser', query)).toEqual(['pr1000000000001']);
  });

  it('does not count a hidden note as an item of "every item"', async () => {
    // Alice's "alpha" < "b"; Bob's "zebra secret" is not: only the rule decides whether it counts
    expect(await list('projects', 'alice', { filter: 'notes_via_project.body < "b"' })).toEqual(['pr1000000000001']);
    expect(await list('projects', 'superuser', { filter: 'notes_via_project.body < "b"' })).toEqual([]);
  });

  it('resolves a relation into users, whose list rule reads @request.auth.id', async () => {
    expect(await list('notes', 'alice', { filter: 'owner.name = "Alice"' })).toEqual(['no1000000000001']);
    expect(await list('projects', 'alice', { filter: 'notes_via_project.owner.name ?= "Bob"' })).toEqual([]);
    expect(await list('projects', 'bob', { filter: 'notes_via_project.owner.name ?= "Bob"' })).toEqual([
      'pr1000000000001',
    ]);
  });

  it('answers a join into a locked collection with a 400', async () => {
    const { status, body } = await call(
      'GET',
      `/api/collections/users/records?filter=${encodeURIComponent('_superusers_via_x.id = ""')}`,
      'alice',
    );
    expect(status).toBe(400);
    expect(body).toMatchObject({ status: 400, data: {} });
  });
});

describe('emails that are not visible', () => {
  it('never order records, ascending or descending', async () => {
    expect(await list('people', 'alice', { sort: 'email' })).toEqual([
      'pe1000000000001',
      'pe3000000000003',
      'pe2000000000002',
    ]);
    expect(await list('people', 'alice', { sort: '-email' })).toEqual([
      'pe2000000000002',
      'pe3000000000003',
      'pe1000000000001',
    ]);
  });

  it('never decide an "every item" comparison of a relation', async () => {
    // contacts: c@ (visible) and b@ (hidden); "> b" and "> bz" split on the hidden one only
    for (const filter of ['contacts.email > "b"', 'contacts.email > "bz"']) {
      expect(await list('projects', 'alice', { filter })).toEqual([]);
    }
    expect(await list('projects', 'superuser', { filter: 'contacts.email > "b"' })).toEqual(['pr1000000000001']);
  });
});
