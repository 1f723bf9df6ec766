import { baseConfigSchema, loadConfig, PG_POOL } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import {
  createServiceApp,
  hashPassword,
  peekClaims,
  requireDatabaseUrl,
  SchemaRegistry,
  SettingsService,
  verifyRecordToken,
} from '@hivebase/runtime';
import { type AuthCollection, newRecordId, normalizeCollection, randomString } from '@hivebase/schema';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import jwt from 'jsonwebtoken';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthModule } from '../src/auth.module';
import { upsertSuperuser } from './support/superuser';

let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;

const signIn = (body: unknown, collection = '_superusers') =>
  app.inject({ method: 'POST', url: `/api/collections/${collection}/auth-with-password`, payload: body as object });

beforeAll(async () => {
  database = await createTestDatabase();
  const config = requireDatabaseUrl(loadConfig(baseConfigSchema, { DATABASE_URL: database.url, LOG_LEVEL: 'silent' }));
  app = await createServiceApp('auth-test', AuthModule, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  pool = app.get<Pool>(PG_POOL);
  await upsertSuperuser(pool, 'root@example.com', 'password123');
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe('superuser auth-with-password', () => {
  it('returns {token, record} with a PocketBase token signed by tokenKey + the collection secret', async () => {
    const response = await signIn({ identity: 'root@example.com', password: 'password123' });
    expect(response.statusCode).toBe(200);
    const { token, record } = response.json();
    expect(record).toMatchObject({
      collectionId: 'pbc_3142635823',
      collectionName: '_superusers',
      email: 'root@example.com',
      verified: true,
    });
    expect(record).not.toHaveProperty('password');
    expect(record).not.toHaveProperty('tokenKey');
    expect(Object.keys(record)).toEqual([...Object.keys(record)].sort());

    const claims = peekClaims(token);
    expect(claims).toMatchObject({ id: record.id, type: 'auth', collectionId: 'pbc_3142635823', refreshable: true });
    expect(Object.keys(claims ?? {}).sort()).toEqual(['collectionId', 'exp', 'id', 'refreshable', 'type']);
    const superusers = app.get(SchemaRegistry).find('_superusers') as AuthCollection;
    const { rows } = await pool.query('SELECT "tokenKey" FROM "_superusers" WHERE id = $1', [record.id]);
    expect(verifyRecordToken(token, superusers, rows[0].tokenKey, 'authToken')).not.toBeNull();
    // A token signed with another key, or with alg "none", does not verify.
    expect(verifyRecordToken(token, superusers, 'another-key', 'authToken')).toBeNull();
    const unsigned = jwt.sign(peekClaims(token) as object, '', { algorithm: 'none' });
    expect(verifyRecordToken(unsigned, superusers, rows[0].tokenKey, 'authToken')).toBeNull();
    const hs512 = jwt.sign(peekClaims(token) as object, rows[0].tokenKey + superusers.authToken.secret, {
      algorithm: 'HS512',
    });
    expect(verifyRecordToken(hs512, superusers, rows[0].tokenKey, 'authToken')).toBeNull();
  });

  it.each([
    ['a wrong password', { identity: 'root@example.com', password: 'wrong-password' }],
    ['an unknown identity', { identity: 'nobody@example.com', password: 'password123' }],
  ])('answers %s with the same 400', async (_case, body) => {
    const response = await signIn(body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ data: {}, message: 'Failed to authenticate.', status: 400 });
  });

  it.each([
    [{}, ['identity', 'password']],
    [{ identity: 'root@example.com' }, ['password']],
    [{ identity: 42, password: ['x'] }, ['identity', 'password']],
    [{ identity: 'root@example.com', password: 'password123', identityField: 'tokenKey' }, ['identityField']],
  ])('validates the body %j', async (body, invalid) => {
    const response = await signIn(body);
    expect(response.statusCode).toBe(400);
    expect(Object.keys(response.json().data).sort()).toEqual(invalid);
  });

  it('answers 404 for a collection that is not an auth collection', async () => {
    expect((await signIn({ identity: 'a', password: 'b' }, '_otps')).statusCode).toBe(404);
    expect((await signIn({ identity: 'a', password: 'b' }, 'missing')).statusCode).toBe(404);
  });

  it('answers a malformed JSON body with a 400', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/collections/_superusers/auth-with-password',
      headers: { 'content-type': 'application/json' },
      payload: '{"identity":',
    });
    expect(response.statusCode).toBe(400);
  });

  it('signs out old sessions when the password is set again (new tokenKey)', async () => {
    const first = (await signIn({ identity: 'root@example.com', password: 'password123' })).json();
    await upsertSuperuser(pool, 'root@example.com', 'another-password');
    const superusers = app.get(SchemaRegistry).find('_superusers') as AuthCollection;
    const { rows } = await pool.query('SELECT "tokenKey" FROM "_superusers" WHERE id = $1', [first.record.id]);
    expect(verifyRecordToken(first.token, superusers, rows[0].tokenKey, 'authToken')).toBeNull();
    expect((await signIn({ identity: 'root@example.com', password: 'another-password' })).statusCode).toBe(200);
  });
});

describe('authRule', () => {
  beforeAll(async () => {
    const { collection } = normalizeCollection({ name: 'members', type: 'auth', authRule: 'verified = true' });
    await app.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
    await pool.query(
      `INSERT INTO members (id, email, password, "tokenKey", verified) VALUES ($1, 'm@example.com', $2, $3, false)`,
      [newRecordId(), await hashPassword('member-password'), randomString(50)],
    );
  });

  it('refuses a record the rule does not match (403, as PocketBase)', async () => {
    const response = await signIn({ identity: 'm@example.com', password: 'member-password' }, 'members');
    expect(response.statusCode).toBe(403);
    expect(response.json().message).toBe("The request doesn't satisfy the collection requirements to authenticate.");
  });

  it('refuses a wrong password before looking at the rule (400)', async () => {
    const response = await signIn({ identity: 'm@example.com', password: 'wrong-password' }, 'members');
    expect(response.statusCode).toBe(400);
  });

  it('lets the record in once it matches', async () => {
    await pool.query(`UPDATE members SET verified = true WHERE email = 'm@example.com'`);
    const response = await signIn({ identity: 'm@example.com', password: 'member-password' }, 'members');
    expect(response.statusCode).toBe(200);
    expect(response.json().record).toMatchObject({ collectionName: 'members', verified: true });
  });

  it('refuses every sign-in when authRule is null (403)', async () => {
    const members = app.get(SchemaRegistry).find('members') as AuthCollection;
    await app.get(SchemaRegistry).apply(() => [{ before: members, after: { ...members, authRule: null } }]);
    const response = await signIn({ identity: 'm@example.com', password: 'member-password' }, 'members');
    expect(response.statusCode).toBe(403);
  });
});

describe('emails that differ only in case', () => {
  const insertMember = async (collection: string, email: string, password: string) =>
    pool.query(
      `INSERT INTO ${collection} (id, email, password, "tokenKey", verified) VALUES ($1, $2, $3, $4, true) RETURNING id`,
      [newRecordId(), email, await hashPassword(password, 4), randomString(50)],
    );

  it('are two accounts under the default (exact) email index, each signing in as itself', async () => {
    const { collection } = normalizeCollection({ name: 'exact_members', type: 'auth' });
    await app.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
    // The squatter registers first with the upper-case form; the owner's own address still reaches the owner.
    const squatter = (await insertMember('exact_members', 'USERF@example.com', 'squatter-password')).rows[0].id;
    const owner = (await insertMember('exact_members', 'userf@example.com', 'owner-password')).rows[0].id;
    const asOwner = await signIn({ identity: 'userf@example.com', password: 'owner-password' }, 'exact_members');
    expect(asOwner.statusCode).toBe(200);
    expect(asOwner.json().record.id).toBe(owner);
    const asSquatter = await signIn({ identity: 'USERF@example.com', password: 'squatter-password' }, 'exact_members');
    expect(asSquatter.json().record.id).toBe(squatter);
    // No cross-matching: the other case with the other's password fails.
    expect(
      (await signIn({ identity: 'Userf@example.com', password: 'owner-password' }, 'exact_members')).statusCode,
    ).toBe(400);
  });

  it('are one account under a COLLATE NOCASE email index: unique and looked up case-insensitively', async () => {
    const { collection } = normalizeCollection({
      name: 'nocase_members',
      type: 'auth',
      indexes: ['CREATE UNIQUE INDEX `idx_nocase_members_email` ON `nocase_members` (`email` COLLATE NOCASE)'],
    });
    await app.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
    const id = (await insertMember('nocase_members', 'userf@example.com', 'owner-password')).rows[0].id;
    await expect(insertMember('nocase_members', 'USERF@example.com', 'squatter-password')).rejects.toThrow(/unique/);
    const response = await signIn({ identity: 'USERF@Example.com', password: 'owner-password' }, 'nocase_members');
    expect(response.statusCode).toBe(200);
    expect(response.json().record.id).toBe(id);
  });
});

describe('the superuser IP allow-list', () => {
  it('refuses a superuser sign-in from outside settings.superuserIPs (403), as PocketBase', async () => {
    const settings = app.get(SettingsService);
    await settings.update({ superuserIPs: ['10.11.12.13'] });
    try {
      const body = { identity: 'root@example.com', password: 'another-password' };
      const outside = await app.inject({
        method: 'POST',
        url: '/api/collections/_superusers/auth-with-password',
        payload: body,
        remoteAddress: '127.0.0.1',
      });
      expect(outside.statusCode).toBe(403);
      const inside = await app.inject({
        method: 'POST',
        url: '/api/collections/_superusers/auth-with-password',
        payload: body,
        remoteAddress: '10.11.12.13',
      });
      expect(inside.statusCode).toBe(200);
    } finally {
      await settings.update({ superuserIPs: [] });
    }
  });
});
