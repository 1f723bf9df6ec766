import { createHmac } from 'node:crypto';
import { AUTH_TOKEN_KEY_CHANGED } from '@hivebase/contracts';
import { InProcessEventBus } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import type { FastifyRequest } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestIdentities } from '../src/edge/request-identity';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** PocketBase's auth token for a record: HS256 keyed by tokenKey + the collection's secret. */
function sign(claims: Record<string, unknown>, key: string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const unsigned = `${b64(header)}.${b64(claims)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

const request = (authorization?: string) => ({ headers: { authorization } }) as unknown as FastifyRequest;

// The edge's own check of auth tokens, on a real `_collections` and auth table.
describe('RequestIdentities', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let bus: InProcessEventBus;
  let identities: RequestIdentities;
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const claims = { id: 'rec1', type: 'auth', collectionId: 'pbc_members', refreshable: true, exp };

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    await pool.query(
      `INSERT INTO "_collections" (id, name, type, data, created, updated)
       VALUES ('pbc_members', 'members', 'auth', '{"authToken":{"secret":"s3cret","duration":3600}}', '', '')`,
    );
    await pool.query(`CREATE TABLE "members" (id text PRIMARY KEY, "tokenKey" text NOT NULL)`);
    await pool.query(`INSERT INTO "members" VALUES ('rec1', 'key-one')`);
    bus = new InProcessEventBus();
    identities = new RequestIdentities(pool, bus);
    await identities.start();
  });
  afterAll(async () => {
    await identities?.stop();
    await bus?.close();
    await pool?.end();
    await database?.drop();
  });

  it('knows a valid token’s record, with or without Bearer', async () => {
    const token = sign(claims, 'key-ones3cret');
    const expected = { collectionId: 'pbc_members', collectionName: 'members', recordId: 'rec1' };
    expect(await identities.of(request(token))).toEqual(expected);
    expect(await identities.of(request(`Bearer ${token}`))).toEqual(expected);
    expect(identities.collectionName('PBC_members')).toBeUndefined();
    expect(identities.collectionName('MEMBERS')).toBe('members');
  });

  it.each([
    ['no header', undefined],
    ['garbage', 'not-a-token'],
    ['a wrong key', sign(claims, 'key-onewrong')],
    ['alg none', `${b64({ alg: 'none' })}.${b64(claims)}.`],
    ['HS512', sign(claims, 'key-ones3cret', { alg: 'HS512' })],
    ['expired', sign({ ...claims, exp: 1 }, 'key-ones3cret')],
    ['another type', sign({ ...claims, type: 'file' }, 'key-ones3cret')],
    ['an unknown collection', sign({ ...claims, collectionId: 'nope' }, 'key-ones3cret')],
    ['an unknown record', sign({ ...claims, id: 'rec2' }, 'key-ones3cret')],
    ['a collection name for an id', sign({ ...claims, collectionId: 'members' }, 'key-ones3cret')],
    ['four parts', `${sign(claims, 'key-ones3cret')}.x`],
  ])('makes a guest of %s', async (_case, header) => {
    expect(await identities.of(request(header))).toBeNull();
  });

  it('stops knowing a token once the record’s tokenKey changed', async () => {
    const token = sign(claims, 'key-ones3cret');
    expect(await identities.of(request(token))).not.toBeNull();
    await pool.query(`UPDATE "members" SET "tokenKey" = 'key-two' WHERE id = 'rec1'`);
    await bus.publish(AUTH_TOKEN_KEY_CHANGED, { collectionId: 'pbc_members', recordId: 'rec1' });
    await new Promise((done) => setImmediate(done));
    expect(await identities.of(request(token))).toBeNull();
    expect(await identities.of(request(sign(claims, 'key-twos3cret')))).not.toBeNull();
  });
});
