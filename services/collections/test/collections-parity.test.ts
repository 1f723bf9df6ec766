import type { TestDatabase } from '@hivebase/platform/testing';
import { SchemaRegistry, SettingsService } from '@hivebase/runtime';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

// PocketBase parity of the collections API and health (Hivebase issue 10): rules resolved on
// save, help on fields, token defaults, PocketBase's messages, superuser health details.

let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;
let superuserToken: string;
let userToken: string;

type Json = Record<string, unknown>;

async function call(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
  options: { token?: string; headers?: Record<string, string>; remoteAddress?: string } = {},
) {
  const token = options.token ?? superuserToken;
  const response = await app.inject({
    method,
    url,
    headers: { ...(token ? { authorization: token } : {}), ...options.headers },
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
    ...(body === undefined ? {} : { payload: body as Json }),
  });
  return { status: response.statusCode, body: (response.body ? response.json() : {}) as Json };
}

/** What a failed change must leave untouched. */
async function snapshot(): Promise<string> {
  const meta = await pool.query('SELECT id, data FROM "_collections" ORDER BY id');
  const tables = await pool.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  return JSON.stringify([meta.rows, tables.rows]);
}

beforeAll(async () => {
  ({ database, app, pool } = await startCollectionsApp('collections-parity-test'));
  superuserToken = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  userToken = (await createAuthRecord(app, 'users', 'u@example.com')).token;
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe('GET /api/health', () => {
  it("gives superusers exactly canBackup, realIP and possibleProxyHeader, in Go's key order; others {}", async () => {
    for (const token of ['', userToken]) {
      const { status, body } = await call('GET', '/api/health', undefined, { token });
      expect(status).toBe(200);
      expect(body).toEqual({ message: 'API is healthy.', code: 200, data: {} });
    }
    const { body } = await call('GET', '/api/health', undefined, { remoteAddress: '203.0.113.7' });
    expect(body).toEqual({
      message: 'API is healthy.',
      code: 200,
      data: { canBackup: true, possibleProxyHeader: '', realIP: '203.0.113.7' },
    });
    expect(Object.keys(body.data as Json)).toEqual(['canBackup', 'possibleProxyHeader', 'realIP']);
  });

  it("names a common proxy header the client sent, but not X-Forwarded-For (PocketBase's list misspells it)", async () => {
    const cloudflare = await call('GET', '/api/health', undefined, { headers: { 'cf-connecting-ip': '198.51.100.1' } });
    expect((cloudflare.body.data as Json).possibleProxyHeader).toBe('CF-Connecting-IP');
    const forwarded = await call('GET', '/api/health', undefined, { headers: { 'x-forwarded-for': '198.51.100.1' } });
    expect((forwarded.body.data as Json).possibleProxyHeader).toBe('');
  });

  it('reads realIP from a configured trusted proxy header, rightmost valid IP unless useLeftmostIP', async () => {
    const settings = app.get(SettingsService);
    await settings.update({ trustedProxy: { headers: ['X-Real-Client'], useLeftmostIP: false } });
    try {
      const headers = { 'x-real-client': '198.51.100.1, nonsense, 2001:db8::1, bad' };
      const rightmost = await call('GET', '/api/health', undefined, { headers, remoteAddress: '10.0.0.1' });
      expect(rightmost.body.data).toEqual({
        canBackup: true,
        possibleProxyHeader: 'X-Real-Client',
        realIP: '2001:0db8:0000:0000:0000:0000:0000:0001',
      });
      await settings.update({ trustedProxy: { useLeftmostIP: true } });
      const leftmost = await call('GET', '/api/health', undefined, { headers, remoteAddress: '10.0.0.1' });
      expect((leftmost.body.data as Json).realIP).toBe('198.51.100.1');
      const without = await call('GET', '/api/health', undefined, { remoteAddress: '10.0.0.1' });
      expect(without.body.data).toEqual({ canBackup: true, possibleProxyHeader: '', realIP: '10.0.0.1' });
    } finally {
      await settings.update({ trustedProxy: { headers: [], useLeftmostIP: false } });
    }
  });
});

describe('superuser-only routes', () => {
  it.each(['/api/collections', '/api/collections/users', '/api/collections/meta/scaffolds', '/api/settings'])(
    'GET %s: 401 for guests, 403 for other auth records, with PocketBase messages',
    async (url) => {
      expect((await call('GET', url, undefined, { token: '' })).body).toEqual({
        data: {},
        message: 'The request requires valid record authorization token.',
        status: 401,
      });
      expect((await call('GET', url, undefined, { token: userToken })).body).toEqual({
        data: {},
        message: 'The authorized record is not allowed to perform this action.',
        status: 403,
      });
    },
  );
});

describe('collection JSON', () => {
  it('gives every field but autodate a help, system fields of auth collections included', async () => {
    const { body } = await call('GET', '/api/collections?perPage=100');
    const fields = (body.items as Json[]).flatMap((item) => item.fields as Json[]);
    expect(fields.length).toBeGreaterThan(20);
    for (const field of fields) {
      if (field.type === 'autodate') expect(field).not.toHaveProperty('help');
      else expect(field).toHaveProperty('help', '');
    }
  });

  it('shows "" for fields stored before help existed, and keeps a help once set', async () => {
    await pool.query(
      `UPDATE "_collections" SET data = jsonb_set(data, '{fields}',
         (SELECT jsonb_agg(field - 'help') FROM jsonb_array_elements(data->'fields') AS field)) WHERE name = 'users'`,
    );
    await app.get(SchemaRegistry).reload();
    const stored = await call('GET', '/api/collections/users');
    expect((stored.body.fields as Json[]).filter((field) => field.type !== 'autodate').map((f) => f.help)).toEqual(
      expect.arrayContaining(['']),
    );
    expect((stored.body.fields as Json[]).every((f) => f.type === 'autodate' || f.help === '')).toBe(true);

    const created = await call('POST', '/api/collections', {
      name: 'helped',
      fields: [{ name: 'title', type: 'text', help: 'Shown under the input.' }],
    });
    expect(created.status).toBe(200);
    expect((created.body.fields as Json[])[1]).toMatchObject({ name: 'title', help: 'Shown under the input.' });
    const tooLong = await call('POST', '/api/collections', {
      name: 'helped_too_much',
      fields: [{ name: 'title', type: 'text', help: 'x'.repeat(301) }],
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.data).toMatchObject({ fields: { '1': { help: { code: 'validation_length_out_of_range' } } } });
  });

  it("gives a new auth collection PocketBase's token and MFA defaults; _superusers keeps one day", async () => {
    const { body } = await call('POST', '/api/collections', { name: 'members', type: 'auth' });
    expect(body).toMatchObject({
      authToken: { duration: 432000 },
      passwordResetToken: { duration: 1800 },
      emailChangeToken: { duration: 1800 },
      verificationToken: { duration: 86400 },
      fileToken: { duration: 180 },
      mfa: { duration: 600 },
      otp: { duration: 180, length: 8 },
    });
    expect((await call('GET', '/api/collections/_superusers')).body).toMatchObject({ authToken: { duration: 86400 } });
    const scaffolds = await call('GET', '/api/collections/meta/scaffolds');
    expect(scaffolds.body.auth).toMatchObject({ authToken: { duration: 432000 } });
  });
});

describe('rules are resolved against the collection as it would be saved', () => {
  const RULE_KEYS = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule', 'authRule', 'manageRule'];

  it.each(RULE_KEYS)('refuses %s naming a missing field, before any DDL', async (key) => {
    const before = await snapshot();
    const { status, body } = await call('POST', '/api/collections', {
      name: `ruled_${key}`,
      type: 'auth',
      [key]: 'missing_field = 1',
    });
    expect(status).toBe(400);
    expect(body.message).toBe('Failed to create collection.');
    expect(body.data).toEqual({
      [key]: { code: 'validation_invalid_rule', message: expect.stringMatching(/^Invalid rule\. Raw error: .+/) },
    });
    expect(await snapshot()).toBe(before);
  });

  it('refuses an MFA rule naming a missing field while MFA is on', async () => {
    const { status, body } = await call('POST', '/api/collections', {
      name: 'mfa_ruled',
      type: 'auth',
      otp: { enabled: true },
      mfa: { enabled: true, rule: 'nope = 1' },
    });
    expect(status).toBe(400);
    expect(body.data).toMatchObject({ mfa: { rule: { code: 'validation_invalid_rule' } } });
  });

  it('accepts rules on fields submitted in the same request, refuses an update dropping one still named', async () => {
    const created = await call('POST', '/api/collections', {
      name: 'ruled_ok',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      ],
      listRule: "title != '' && owner.email != '' && @request.auth.id != ''",
      viewRule: '@collection.users.id ?= @request.auth.id',
      createRule: "@request.body.title:isset = true && @request.headers.x_token != ''",
    });
    expect(created.status).toBe(200);
    expect(created.body.listRule).toBe("title != '' && owner.email != '' && @request.auth.id != ''");

    const before = await snapshot();
    const { status, body } = await call('PATCH', '/api/collections/ruled_ok', {
      fields: (created.body.fields as Json[]).filter((field) => field.name !== 'title'),
    });
    expect(status).toBe(400);
    expect(body.message).toBe('Failed to update collection.');
    expect(body.data).toMatchObject({ listRule: { code: 'validation_invalid_rule' } });
    expect(await snapshot()).toBe(before);
  });

  it("checks a view's rules against the columns of its query", async () => {
    const ok = await call('POST', '/api/collections', {
      name: 'ruled_view',
      type: 'view',
      viewQuery: 'SELECT id, title FROM ruled_ok',
      listRule: "title != ''",
    });
    expect(ok.status).toBe(200);
    const bad = await call('PATCH', '/api/collections/ruled_view', { viewRule: 'owner = 1' });
    expect(bad.status).toBe(400);
    expect(bad.body.data).toMatchObject({ viewRule: { code: 'validation_invalid_rule' } });
  });

  it('refuses a manageRule of "" (PocketBase: null or an expression)', async () => {
    const { body } = await call('POST', '/api/collections', { name: 'managed', type: 'auth', manageRule: '' });
    expect(body.data).toMatchObject({ manageRule: { code: 'validation_nil_or_not_empty_required' } });
  });
});
