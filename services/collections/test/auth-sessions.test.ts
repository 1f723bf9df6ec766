import { AUTH_TOKEN_KEY_CHANGED, type AuthTokenKeyChangedEvent } from '@hivebase/contracts';
import { EVENT_BUS, type EventBus } from '@hivebase/platform';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { type CollectionsTestApp, startCollectionsApp } from './support/test-app';

let test: CollectionsTestApp;
let superuser: string;
const announced: AuthTokenKeyChangedEvent[] = [];

const viewSelf = (id: string, token: string) =>
  test.app.inject({ method: 'GET', url: `/api/collections/users/records/${id}`, headers: { authorization: token } });
const patch = (id: string, token: string, payload: Record<string, unknown>) =>
  test.app.inject({
    method: 'PATCH',
    url: `/api/collections/users/records/${id}`,
    headers: { authorization: token },
    payload,
  });

beforeAll(async () => {
  test = await startCollectionsApp('auth-sessions-test');
  superuser = (await createAuthRecord(test.app, '_superusers', 'root@example.com')).token;
  await test.app.get<EventBus>(EVENT_BUS).subscribe<AuthTokenKeyChangedEvent>(AUTH_TOKEN_KEY_CHANGED, (event) => {
    announced.push(event);
  });
});
afterAll(async () => {
  await test?.app.close();
  await test?.database.drop();
});

describe('sessions of an auth record whose password or email changes', () => {
  it('end at once when a manager sets a new password, and the change is announced', async () => {
    const user = await createAuthRecord(test.app, 'users', 'pw@example.com');
    // Cached now: the next checks of this token would not read the database for a second.
    expect((await viewSelf(user.id, user.token)).statusCode).toBe(200);
    const changed = await patch(user.id, superuser, { password: 'new-password1', passwordConfirm: 'new-password1' });
    expect(changed.statusCode).toBe(200);
    expect((await viewSelf(user.id, user.token)).statusCode).toBe(404);
    await vi.waitFor(() => expect(announced).toContainEqual({ collectionId: '_pb_users_auth_', recordId: user.id }));
  });

  it('end when the email changes (a new tokenKey, as PocketBase)', async () => {
    const user = await createAuthRecord(test.app, 'users', 'old@example.com');
    expect((await viewSelf(user.id, user.token)).statusCode).toBe(200);
    expect((await patch(user.id, superuser, { email: 'new@example.com' })).statusCode).toBe(200);
    expect((await viewSelf(user.id, user.token)).statusCode).toBe(404);
  });

  it('stay when other fields change', async () => {
    const user = await createAuthRecord(test.app, 'users', 'stay@example.com');
    expect((await patch(user.id, user.token, { name: 'Still me' })).statusCode).toBe(200);
    expect((await viewSelf(user.id, user.token)).statusCode).toBe(200);
  });
});
