import { AUTH_TOKEN_KEY_CHANGED, type AuthTokenKeyChangedEvent } from '@hivebase/contracts';
import { EVENT_BUS, type EventBus } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import { randomString } from '@hivebase/schema';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthRecords } from '../src/core/auth-records';
import { type AuthTestApp, createAuthRecord, startAuthApp } from './support/auth-app';

// Two replicas of the auth service in distributed mode: one database, one Redis (bus and
// rate-limit counts), in a Redis namespace of their own.
let database: TestDatabase;
let first: AuthTestApp;
let second: AuthTestApp;

beforeAll(async () => {
  database = await createTestDatabase();
  const env = {
    HB_MODE: 'distributed',
    HB_REDIS_PREFIX: `hb-test-${randomString(8)}`,
    AUTH_MAX_FAILED_PER_IDENTITY: '4',
  };
  first = await startAuthApp(env, database);
  second = await startAuthApp(env, database);
});
afterAll(async () => {
  await first?.close();
  await second?.close();
  await database?.drop();
});

const signIn = (replica: AuthTestApp, identity: string, password: string) =>
  replica.app.inject({
    method: 'POST',
    url: '/api/collections/users/auth-with-password',
    payload: { identity, password },
  });

const refresh = (replica: AuthTestApp, token: string) =>
  replica.app.inject({ method: 'POST', url: '/api/collections/users/auth-refresh', headers: { authorization: token } });

describe('two auth replicas', () => {
  it('share failed sign-in counts: the 429 holds on both', async () => {
    const email = `target-${randomString(6)}@example.com`;
    await createAuthRecord(first, 'users', { email, password: 'right-password' });
    expect((await signIn(first, email, 'wrong-1')).statusCode).toBe(400);
    expect((await signIn(second, email, 'wrong-2')).statusCode).toBe(400);
    expect((await signIn(first, email, 'wrong-3')).statusCode).toBe(400);
    expect((await signIn(second, email, 'wrong-4')).statusCode).toBe(400);
    for (const replica of [first, second]) {
      const blocked = await signIn(replica, email, 'right-password');
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json()).toEqual({ data: {}, message: 'Too Many Requests.', status: 429 });
    }
  });

  it('end old sessions on the other replica once the password changes', async () => {
    const email = `moving-${randomString(6)}@example.com`;
    const user = await createAuthRecord(first, 'users', { email, password: 'old-password' });
    // The second replica has now cached the record behind this token.
    expect((await refresh(second, user.token)).statusCode).toBe(200);
    const announced: AuthTokenKeyChangedEvent[] = [];
    await second.app.get<EventBus>(EVENT_BUS).subscribe<AuthTokenKeyChangedEvent>(AUTH_TOKEN_KEY_CHANGED, (event) => {
      announced.push(event);
    });

    const records = first.app.get(AuthRecords);
    await records.systemUpdate(records.collectionOrThrow('users'), user.id, {
      password: 'new-password1',
      passwordConfirm: 'new-password1',
    });
    // `auth.tokenKeyChanged` reaches the second replica over Redis and drops its cached record.
    await vi.waitFor(() => expect(announced).toContainEqual({ collectionId: '_pb_users_auth_', recordId: user.id }));
    expect((await refresh(second, user.token)).statusCode).toBe(401);
    expect((await signIn(second, email, 'new-password1')).statusCode).toBe(200);
  });
});
