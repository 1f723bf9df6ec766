import { RECORD_CHANGED, type RecordChangedEvent } from '@hivebase/contracts';
import { EVENT_BUS, type EventBus } from '@hivebase/platform';
import { type SmtpCapture, smtpSettingsFor, startSmtpCapture } from '@hivebase/platform/testing';
import type { AuthCollection } from '@hivebase/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthRecords } from '../src/core/auth-records';
import { type AuthTestApp, createAuthRecord, startAuthApp } from './support/auth-app';

// The auth service's bookkeeping (`_otps`, `_mfas`, `_authOrigins`, `_externalAuths`) and its
// tokenKey renewals are record writes like any other: through the writer, each with its event.

let test: AuthTestApp;
let smtp: SmtpCapture;
let user: { id: string; token: string };
const events: RecordChangedEvent[] = [];

const post = (path: string, body: unknown) =>
  test.app.inject({ method: 'POST', url: `/api/collections/users/${path}`, payload: body as object });
const eventsOf = (name: string) => events.filter((event) => event.collectionName === name);
const poll = <T>(read: () => T) => expect.poll(read, { timeout: 10_000 });

beforeAll(async () => {
  smtp = await startSmtpCapture();
  test = await startAuthApp();
  await test.settings.update(smtpSettingsFor(smtp));
  user = await createAuthRecord(test, 'users', { email: 'books@example.com', password: 'password123' });
  const users = test.registry.find('users') as AuthCollection;
  await test.registry.apply(() => [{ before: users, after: { ...users, otp: { ...users.otp, enabled: true } } }]);
  await test.app.get<EventBus>(EVENT_BUS).subscribe<RecordChangedEvent>(RECORD_CHANGED, (event) => {
    events.push(event);
  });
});
afterAll(async () => {
  await test?.close();
  await smtp?.close();
});

describe('system writes of the auth service', () => {
  it('announce an OTP when issued and when used up, never with its hash', async () => {
    const { otpId } = (await post('request-otp', { email: 'books@example.com' })).json();
    await poll(() => eventsOf('_otps').map((event) => [event.action, event.record.id])).toEqual([['create', otpId]]);
    const [created] = eventsOf('_otps');
    expect(created.record).toMatchObject({
      collectionRef: users().id,
      recordRef: user.id,
      sentTo: 'books@example.com',
    });
    expect(created.record).not.toHaveProperty('password');
    const { rows } = await test.pool.query('SELECT created, updated FROM "_otps" WHERE id = $1', [otpId]);
    expect(rows[0].created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);

    const mail = await smtp.waitForMail((candidate) => candidate.to.includes('books@example.com'));
    const code = /\b(\d{8})\b/.exec(mail.text)?.[1];
    expect((await post('auth-with-otp', { otpId, password: code })).statusCode).toBe(200);
    await poll(() => eventsOf('_otps').map((event) => event.action)).toEqual(['create', 'delete']);
    expect(await test.pool.query('SELECT 1 FROM "_otps" WHERE id = $1', [otpId])).toMatchObject({ rowCount: 0 });
  });

  it('announce a new sign-in origin, and the same origin seen again as an update', async () => {
    // The OTP sign-in above was the record's first: its origin is remembered.
    await poll(() => eventsOf('_authOrigins').map((event) => event.action)).toEqual(['create']);
    const [origin] = eventsOf('_authOrigins');
    expect(origin.record).toMatchObject({ collectionRef: users().id, recordRef: user.id });
    expect(
      (await post('auth-with-password', { identity: 'books@example.com', password: 'password123' })).statusCode,
    ).toBe(200);
    await poll(() => eventsOf('_authOrigins').map((event) => event.action)).toEqual(['create', 'update']);
    const { rows } = await test.pool.query('SELECT id FROM "_authOrigins" WHERE "recordRef" = $1', [user.id]);
    expect(rows.map((row) => row.id)).toEqual([origin.record.id]);
  });

  it('renew a tokenKey through the writer: stored, announced without the key, old tokens refused', async () => {
    const before = await tokenKeyOf(user.id);
    const updates = () => eventsOf('users').filter((event) => event.action === 'update' && event.record.id === user.id);
    const seen = updates().length;
    await test.app.get(AuthRecords).renewTokenKey(users(), user.id);
    const after = await tokenKeyOf(user.id);
    expect(after).toMatch(/^[A-Za-z0-9]{50}$/);
    expect(after).not.toBe(before);
    await poll(() => updates().length).toBe(seen + 1);
    const update = updates()[seen];
    expect(update.record).not.toHaveProperty('tokenKey');
    expect(update.previous).not.toHaveProperty('tokenKey');
    const refreshed = await test.app.inject({
      method: 'POST',
      url: '/api/collections/users/auth-refresh',
      headers: { authorization: user.token },
    });
    expect(refreshed.statusCode).toBe(401);
  });
});

function users(): AuthCollection {
  return test.registry.find('users') as AuthCollection;
}

async function tokenKeyOf(id: string): Promise<string> {
  const { rows } = await test.pool.query<{ tokenKey: string }>('SELECT "tokenKey" FROM users WHERE id = $1', [id]);
  return rows[0].tokenKey;
}
