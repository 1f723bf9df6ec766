import { type SmtpCapture } from '@hivebase/platform/testing';
import { signRecordToken } from '@hivebase/runtime';
import { type AuthCollection, newRecordId, nowDateTime } from '@hivebase/schema';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  expectFieldErrors,
  expectNoMailTo,
  postTo,
  startAccountTestApp,
  storedUser,
  tokenMailedTo,
} from './support/account-mail';
import { type AuthTestApp, createAuthRecord } from './support/auth-app';

let test: AuthTestApp;
let smtp: SmtpCapture;
let users: AuthCollection;

const post = (path: string, body: unknown, token?: string, collection?: string) =>
  postTo(test, path, body, token, collection);

/** A new unverified user and the verification token mailed to it. */
async function userWithMailedToken(email: string) {
  const user = await createAuthRecord(test, 'users', { email });
  expect((await post('request-verification', { email })).statusCode).toBe(204);
  return { user, token: await tokenMailedTo(smtp, email, 'confirm-verification') };
}

beforeAll(async () => {
  ({ test, smtp } = await startAccountTestApp());
  users = test.registry.find('users') as AuthCollection;
});
afterAll(async () => {
  await test?.close();
  await smtp?.close();
});
beforeEach(() => smtp.clear());

describe('request-verification', () => {
  it('mails a link whose token confirms the address, once', async () => {
    const { user, token } = await userWithMailedToken('ver-flow@example.com');
    const mail = smtp.messages.find((candidate) => candidate.to.includes('ver-flow@example.com'));
    expect(mail?.subject).toContain('Verify');

    expect((await post('confirm-verification', { token })).statusCode).toBe(204);
    expect((await storedUser(test, user.id)).verified).toBe(true);
    // Already verified: PocketBase answers 204 and changes nothing.
    expect((await post('confirm-verification', { token })).statusCode).toBe(204);
    // Verifying alone does not end the record's sessions.
    expect((await post('auth-refresh', {}, user.token)).statusCode).toBe(200);
  });

  it('answers 204 and mails nothing for an unknown email', async () => {
    expect((await post('request-verification', { email: 'nobody@example.com' })).statusCode).toBe(204);
    await expectNoMailTo(test, smtp, 'nobody@example.com');
  });

  it('answers 204 and mails nothing for an already verified record', async () => {
    await createAuthRecord(test, 'users', { email: 'ver-done@example.com', verified: true });
    expect((await post('request-verification', { email: 'ver-done@example.com' })).statusCode).toBe(204);
    await expectNoMailTo(test, smtp, 'ver-done@example.com');
  });

  it('mails a record at most once per window (PocketBase: 2 minutes)', async () => {
    await userWithMailedToken('ver-twice@example.com');
    smtp.clear();
    expect((await post('request-verification', { email: 'ver-twice@example.com' })).statusCode).toBe(204);
    await expectNoMailTo(test, smtp, 'ver-twice@example.com');
  });

  it.each<[string, unknown, string]>([
    ['missing', {}, 'validation_required'],
    ['empty', { email: '' }, 'validation_required'],
    ['not an email', { email: 'not-an-email' }, 'validation_is_email'],
    ['too long', { email: `${'a'.repeat(250)}@example.com` }, 'validation_length_out_of_range'],
  ])('refuses an email that is %s (400)', async (_case, body, code) => {
    expectFieldErrors(await post('request-verification', body), { email: code });
  });

  it('answers 400 for superusers and 404 for a collection that is not an auth one', async () => {
    const superusers = await post('request-verification', { email: 'root@example.com' }, undefined, '_superusers');
    expect(superusers.statusCode).toBe(400);
    expect(superusers.json().message).toBe('All superusers are verified by default.');
    expect((await post('request-verification', { email: 'a@example.com' }, undefined, '_otps')).statusCode).toBe(404);
    expect((await post('request-verification', { email: 'a@example.com' }, undefined, 'missing')).statusCode).toBe(404);
  });
});

describe('confirm-verification', () => {
  it('refuses a token issued for an email the record no longer has', async () => {
    const { user, token } = await userWithMailedToken('ver-moved@example.com');
    // The email changes but the tokenKey stays: only the email claim can tell.
    await test.pool.query(`UPDATE users SET email = 'ver-moved-2@example.com' WHERE id = $1`, [user.id]);
    expectFieldErrors(await post('confirm-verification', { token }), { token: 'validation_token_email_mismatch' });
    expect((await storedUser(test, user.id)).verified).toBe(false);
  });

  it('removes OAuth2 links made before the address was proven, which ends every session', async () => {
    const { user, token } = await userWithMailedToken('ver-linked@example.com');
    const now = nowDateTime();
    await test.pool.query(
      `INSERT INTO "_externalAuths" (id, "collectionRef", "recordRef", provider, "providerId", created, updated)
       VALUES ($1, $2, $3, 'github', 'attacker', $4, $4)`,
      [newRecordId(), users.id, user.id, now],
    );
    expect((await post('confirm-verification', { token })).statusCode).toBe(204);
    const { rowCount } = await test.pool.query(`SELECT 1 FROM "_externalAuths" WHERE "recordRef" = $1`, [user.id]);
    expect(rowCount).toBe(0);
    expect((await storedUser(test, user.id)).tokenKey).not.toBe(user.tokenKey);
    expect((await post('auth-refresh', {}, user.token)).statusCode).toBe(401);
  });

  it('sets a random password when the collection has password auth disabled', async () => {
    const members = test.registry.find('members') as AuthCollection;
    await test.registry.apply(() => [
      { before: members, after: { ...members, passwordAuth: { ...members.passwordAuth, enabled: false } } },
    ]);
    const member = await createAuthRecord(test, 'members', { email: 'member-nopass@example.com' });
    const token = signRecordToken(members, member, 'verificationToken', { email: 'member-nopass@example.com' });
    expect((await post('confirm-verification', { token }, undefined, 'members')).statusCode).toBe(204);
    const { rows } = await test.pool.query(`SELECT verified, "tokenKey" FROM members WHERE id = $1`, [member.id]);
    expect(rows[0]).toMatchObject({ verified: true });
    // The password changed, and with it the tokenKey.
    expect(rows[0].tokenKey).not.toBe(member.tokenKey);
  });

  describe('refuses tokens that are not valid verification tokens of this collection (400)', () => {
    let user: { id: string; tokenKey: string };
    const email = 'ver-bad@example.com';
    beforeAll(async () => {
      user = await createAuthRecord(test, 'users', { email });
    });

    it.each<[string, () => string, string]>([
      [
        'forged',
        () => `${signRecordToken(users, user, 'verificationToken', { email }).slice(0, -4)}AAAA`,
        'validation_invalid_token',
      ],
      ['expired', () => signRecordToken(users, user, 'verificationToken', { email }, -60), 'validation_invalid_token'],
      [
        'of another kind',
        () => signRecordToken(users, user, 'passwordResetToken', { email }),
        'validation_invalid_token',
      ],
      ['an auth token', () => signRecordToken(users, user, 'authToken', { email }), 'validation_invalid_token'],
      [
        'without the email claim',
        () => signRecordToken(users, user, 'verificationToken'),
        'validation_invalid_token_claims',
      ],
      ['not a JWT', () => 'not-a-token', 'validation_invalid_token_claims'],
    ])('%s', async (_case, make, code) => {
      expectFieldErrors(await post('confirm-verification', { token: make() }), { token: code });
      expect((await storedUser(test, user.id)).verified).toBe(false);
    });

    it('of another auth collection', async () => {
      const token = signRecordToken(users, user, 'verificationToken', { email });
      expectFieldErrors(await post('confirm-verification', { token }, undefined, 'members'), {
        token: 'validation_token_collection_mismatch',
      });
    });

    it('missing', async () => {
      expectFieldErrors(await post('confirm-verification', {}), { token: 'validation_required' });
    });
  });
});
