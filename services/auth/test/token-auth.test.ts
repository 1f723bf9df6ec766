import { generateKeyPairSync } from 'node:crypto';
import { AUTH_RECORD_CHANGED, type AuthRecordChangedEvent } from '@hivebase/contracts';
import { EVENT_BUS, type EventBus } from '@hivebase/platform';
import { OutboxWaker, peekClaims, RequestAuthenticator, signRecordToken, writeOutboxEvent } from '@hivebase/runtime';
import { type AuthCollection, normalizeCollection } from '@hivebase/schema';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AuthTestApp, createAuthRecord, startAuthApp } from './support/auth-app';

let test: AuthTestApp;
let users: AuthCollection;
let user: { id: string; token: string; tokenKey: string };

const refresh = (token?: string, collection = 'users') =>
  test.app.inject({
    method: 'POST',
    url: `/api/collections/${collection}/auth-refresh`,
    headers: token === undefined ? {} : { authorization: token },
  });

const impersonate = (id: string, body: unknown, token = test.superuserToken, collection = 'users') =>
  test.app.inject({
    method: 'POST',
    url: `/api/collections/${collection}/impersonate/${id}`,
    headers: { authorization: token },
    payload: body as object,
  });

beforeAll(async () => {
  test = await startAuthApp();
  users = test.registry.find('users') as AuthCollection;
  user = await createAuthRecord(test, 'users', { email: 'alice@example.com', name: 'Alice' });
});
afterAll(async () => {
  await test?.close();
});

describe('auth-refresh', () => {
  it('answers a fresh refreshable token and the record as its owner sees it', async () => {
    const response = await refresh(user.token);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body)).toEqual(['record', 'token']);
    expect(body.record).toMatchObject({ id: user.id, email: 'alice@example.com', collectionName: 'users' });
    expect(peekClaims(body.token)).toMatchObject({ id: user.id, type: 'auth', refreshable: true });
  });

  it('accepts the token with a Bearer prefix in any case', async () => {
    expect((await refresh(`Bearer ${user.token}`)).statusCode).toBe(200);
    expect((await refresh(`bearer ${user.token}`)).statusCode).toBe(200);
  });

  it('answers a guest with 401', async () => {
    const response = await refresh();
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      data: {},
      message: 'The request requires valid record authorization token.',
      status: 401,
    });
  });

  it("refuses another collection's record (403)", async () => {
    expect((await refresh(test.superuserToken)).statusCode).toBe(403);
  });

  it('answers 404 for a collection that is not an auth collection', async () => {
    expect((await refresh(user.token, '_mfas')).statusCode).toBe(404);
  });
});

describe('tokens that must not authenticate', () => {
  const claims = () => ({
    id: user.id,
    type: 'auth',
    collectionId: users.id,
    refreshable: true,
    exp: Math.floor(Date.now() / 1000) + 600,
  });
  const rightKey = () => user.tokenKey + users.authToken.secret;

  it.each<[string, () => string]>([
    ['signed with another key', () => jwt.sign(claims(), 'not-the-key', { algorithm: 'HS256' })],
    ['expired', () => jwt.sign({ ...claims(), exp: Math.floor(Date.now() / 1000) - 10 }, rightKey())],
    ['of another token type', () => signRecordToken(users, user, 'verificationToken', { email: 'alice@example.com' })],
    ['with alg "none"', () => jwt.sign(claims(), '', { algorithm: 'none' })],
    ['re-signed with HS512', () => jwt.sign(claims(), rightKey(), { algorithm: 'HS512' })],
    [
      'signed with an asymmetric key',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return jwt.sign(claims(), privateKey, { algorithm: 'RS256' });
      },
    ],
    [
      'claiming another collection',
      () => jwt.sign({ ...claims(), collectionId: 'pbc_3142635823' }, rightKey(), { algorithm: 'HS256' }),
    ],
    [
      'with a changed payload',
      () => {
        const [header, , signature] = user.token.split('.');
        const payload = Buffer.from(JSON.stringify({ ...claims(), id: 'someoneelse1234' })).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['that is not a JWT', () => 'not-a-token'],
  ])('rejects a token %s (the caller is a guest: 401)', async (_case, make) => {
    expect((await refresh(make())).statusCode).toBe(401);
  });

  it('rejects a token of another collection whose record has the same id', async () => {
    const { collection } = normalizeCollection({ name: 'members', type: 'auth' });
    await test.registry.apply(() => [{ before: null, after: collection }]);
    const members = test.registry.find('members') as AuthCollection;
    await createAuthRecord(test, 'members', { email: 'm@example.com', id: user.id } as never);
    // Signed with the users record's key but claiming members: the members record's key does not verify it.
    const token = jwt.sign({ ...claims(), collectionId: members.id }, rightKey(), { algorithm: 'HS256' });
    expect((await refresh(token, 'members')).statusCode).toBe(401);
  });
});

describe('the signed-in record', () => {
  it('is read again once a change to it was relayed, not when its cache entry expires', async () => {
    const carol = await createAuthRecord(test, 'users', { email: 'carol-cache@example.com', name: 'Carol' });
    // Cached now, for a second.
    expect((await refresh(carol.token)).json().record.name).toBe('Carol');
    const relayed: AuthRecordChangedEvent[] = [];
    // Subscribed after the app's authenticator, so delivered after its handler ran.
    const stop = await test.app
      .get<EventBus>(EVENT_BUS)
      .subscribe<AuthRecordChangedEvent>(AUTH_RECORD_CHANGED, (event) => void relayed.push(event));
    // A write as any writer makes one: the row and its outbox event in one transaction.
    const client = await test.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query('UPDATE users SET name = $2 WHERE id = $1 RETURNING *', [carol.id, 'Caro']);
      await writeOutboxEvent(client, {
        action: 'update',
        collectionId: users.id,
        collectionName: 'users',
        record: rows[0],
      });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    test.app.get(OutboxWaker).wake();
    await vi.waitFor(() => expect(relayed).toEqual([{ collectionId: users.id, recordId: carol.id }]));
    await stop();
    // Well within the cache's second: only the relayed change explains the new name.
    expect((await refresh(carol.token)).json().record.name).toBe('Caro');
  });
});

describe('tokens verified before', () => {
  // The authenticator skips decoding and the HMAC for a token it verified, while nothing it was
  // verified against changed: each of these changes must end it as a fresh verification would.
  const newUser = (email: string) => createAuthRecord(test, 'users', { email, name: email });

  it('stop authenticating once the record gets a new tokenKey', async () => {
    const bob = await newUser('bob-token@example.com');
    expect((await refresh(bob.token)).statusCode).toBe(200);
    expect((await refresh(bob.token)).statusCode).toBe(200);
    await test.pool.query(`UPDATE users SET "tokenKey" = 'a-new-token-key-for-bob' WHERE id = $1`, [bob.id]);
    await test.app.get(RequestAuthenticator).tokenKeyChanged(users.id, bob.id);
    expect((await refresh(bob.token)).statusCode).toBe(401);
  });

  it("stop authenticating once the collection's auth token secret changes", async () => {
    const carol = await newUser('carol-token@example.com');
    expect((await refresh(carol.token)).statusCode).toBe(200);
    const current = test.registry.find('users') as AuthCollection;
    const rotated = { ...current, authToken: { ...current.authToken, secret: `${current.authToken.secret}-rotated` } };
    await test.registry.apply(() => [{ before: current, after: rotated }]);
    try {
      expect((await refresh(carol.token)).statusCode).toBe(401);
    } finally {
      // The other tests' tokens were signed with the first secret.
      await test.registry.apply(() => [{ before: rotated, after: current }]);
    }
  });

  it('stop authenticating once expired', async () => {
    const dave = await newUser('dave-token@example.com');
    // `exp` counts whole seconds from the one the token was signed in: a 1 s token signed at
    // x.999 s would already be expired; 2 s leave it at least one.
    const shortLived = signRecordToken(test.registry.find('users') as AuthCollection, dave, 'authToken', {}, 2);
    expect((await refresh(shortLived)).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    expect((await refresh(shortLived)).statusCode).toBe(401);
  });
});

describe('impersonate', () => {
  it('gives a superuser a non-refreshable token for the record, for the given duration', async () => {
    const response = await impersonate(user.id, { duration: 100 });
    expect(response.statusCode).toBe(200);
    const { token, record } = response.json();
    expect(record).toMatchObject({ id: user.id, email: 'alice@example.com' });
    const claims = peekClaims(token);
    expect(claims).toMatchObject({ id: user.id, type: 'auth', collectionId: users.id, refreshable: false });
    expect(claims?.exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 100);
    expect(claims?.exp).toBeGreaterThan(Math.floor(Date.now() / 1000) + 50);
    // The impersonation token works as the record's own; refreshing it returns it unchanged (PocketBase).
    const refreshed = await refresh(token);
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json()).toMatchObject({ token, record: { id: user.id } });
  });

  it("defaults to the collection's auth token duration", async () => {
    const { token } = (await impersonate(user.id, {})).json();
    const exp = peekClaims(token)?.exp ?? 0;
    expect(exp).toBeGreaterThan(Math.floor(Date.now() / 1000) + users.authToken.duration - 60);
  });

  it('is for superusers only', async () => {
    expect((await impersonate(user.id, {}, '')).statusCode).toBe(401);
    expect((await impersonate(user.id, {}, user.token)).statusCode).toBe(403);
  });

  it('answers 404 for a missing record', async () => {
    expect((await impersonate('missing12345678', {})).statusCode).toBe(404);
  });

  it.each([[{ duration: -1 }], [{ duration: 'soon' }], [{ duration: 1.5 }]])('validates %j', async (body) => {
    const response = await impersonate(user.id, body);
    expect(response.statusCode).toBe(400);
    expect(Object.keys(response.json().data)).toEqual(['duration']);
  });
});
