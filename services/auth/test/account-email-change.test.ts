import { type SmtpCapture } from '@hivebase/platform/testing';
import { peekClaims, signRecordToken } from '@hivebase/runtime';
import { type AuthCollection } from '@hivebase/schema';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectFieldErrors, postTo, startAccountTestApp, storedUser, tokenMailedTo } from './support/account-mail';
import { type AuthTestApp, createAuthRecord } from './support/auth-app';

let test: AuthTestApp;
let smtp: SmtpCapture;
let users: AuthCollection;

const post = (path: string, body: unknown, token?: string, collection?: string) =>
  postTo(test, path, body, token, collection);
const confirm = (token: string, password = 'password123') => post('confirm-email-change', { token, password });

/** A new user that asked to move to `newEmail`, and the token mailed there. */
async function userWithMailedToken(email: string, newEmail: string) {
  const user = await createAuthRecord(test, 'users', { email });
  expect((await post('request-email-change', { newEmail }, user.token)).statusCode).toBe(204);
  return { user, token: await tokenMailedTo(smtp, newEmail, 'confirm-email-change') };
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

describe('email change', () => {
  it('moves the record to the new address, verified, after the password check, ending old sessions', async () => {
    const { user, token } = await userWithMailedToken('change-old@example.com', 'change-new@example.com');
    // The link goes to the new address only, and names it.
    expect(smtp.messages.filter((mail) => mail.to.includes('change-old@example.com'))).toEqual([]);
    expect(peekClaims(token)).toMatchObject({ type: 'emailChange', newEmail: 'change-new@example.com' });

    expectFieldErrors(await confirm(token, 'wrong-password'), { password: 'validation_invalid_password' });
    expect((await storedUser(test, user.id)).email).toBe('change-old@example.com');

    expect((await confirm(token)).statusCode).toBe(204);
    const stored = await storedUser(test, user.id);
    expect(stored).toMatchObject({ email: 'change-new@example.com', verified: true });
    expect(stored.tokenKey).not.toBe(user.tokenKey);
    expect((await post('auth-refresh', {}, user.token)).statusCode).toBe(401);
    expect(
      (await post('auth-with-password', { identity: 'change-new@example.com', password: 'password123' })).statusCode,
    ).toBe(200);
    // The new tokenKey also ends the link.
    expectFieldErrors(await confirm(token), {
      password: 'validation_invalid_password',
      token: 'validation_invalid_token',
    });
  });

  it('refuses the change when the new address was taken in the meantime', async () => {
    const { user, token } = await userWithMailedToken('race-old@example.com', 'race-new@example.com');
    await createAuthRecord(test, 'users', { email: 'race-new@example.com' });
    expectFieldErrors(await confirm(token), {
      password: 'validation_invalid_password',
      token: 'validation_invalid_token_email',
    });
    expect((await storedUser(test, user.id)).email).toBe('race-old@example.com');
  });
});

describe('request-email-change', () => {
  let user: { id: string; token: string; tokenKey: string };
  beforeAll(async () => {
    user = await createAuthRecord(test, 'users', { email: 'req@example.com' });
    await createAuthRecord(test, 'users', { email: 'taken@example.com' });
  });

  it('requires the auth of a record of this collection (401, then 403)', async () => {
    const member = await createAuthRecord(test, 'members', { email: 'member@example.com' });
    const body = { newEmail: 'x@example.com' };
    expect((await post('request-email-change', body)).statusCode).toBe(401);
    expect((await post('request-email-change', body, undefined, 'missing')).statusCode).toBe(401);
    const other = await post('request-email-change', body, member.token);
    expect(other.statusCode).toBe(403);
    expect(other.json().message).toBe('The request requires auth record from members collection.');
    expect((await post('request-email-change', body, test.superuserToken)).statusCode).toBe(403);
    const superusers = await post('request-email-change', body, test.superuserToken, '_superusers');
    expect(superusers.statusCode).toBe(400);
    expect(superusers.json().message).toBe('All superusers can change their emails directly.');
  });

  it.each<[string, unknown, string]>([
    ['missing', {}, 'validation_required'],
    ['not an email', { newEmail: 'nope' }, 'validation_is_email'],
    ['the current one', { newEmail: 'req@example.com' }, 'validation_not_in_invalid'],
    ['taken by another record', { newEmail: 'taken@example.com' }, 'validation_invalid_new_email'],
  ])('refuses a new email that is %s (400)', async (_case, body, code) => {
    expectFieldErrors(await post('request-email-change', body, user.token), { newEmail: code });
  });

  it('compares emails as the email unique index does: exact by default, as PocketBase', async () => {
    // The default index has no COLLATE NOCASE, so another case is another address (and unique).
    expect((await post('request-email-change', { newEmail: 'TAKEN@example.com' }, user.token)).statusCode).toBe(204);
  });
});

describe('confirm-email-change validation', () => {
  let user: { id: string; tokenKey: string };
  const email = 'confirm-bad@example.com';
  const changeToken = () => signRecordToken(users, user, 'emailChangeToken', { email, newEmail: 'next@example.com' });
  beforeAll(async () => {
    user = await createAuthRecord(test, 'users', { email });
  });

  it('requires both fields', async () => {
    expectFieldErrors(await post('confirm-email-change', {}), {
      password: 'validation_required',
      token: 'validation_required',
    });
  });

  it.each<[string, () => string, string]>([
    ['forged', () => `${changeToken().slice(0, -4)}AAAA`, 'validation_invalid_token'],
    [
      'expired',
      () => signRecordToken(users, user, 'emailChangeToken', { newEmail: 'n@example.com' }, -60),
      'validation_invalid_token',
    ],
    [
      'a verification token',
      () => signRecordToken(users, user, 'verificationToken', { newEmail: 'n@example.com' }),
      'validation_invalid_token',
    ],
    [
      'missing its newEmail claim',
      () => signRecordToken(users, user, 'emailChangeToken', { email }),
      'validation_invalid_token_payload',
    ],
  ])('refuses a token that is %s', async (_case, make, code) => {
    // Without a valid token there is no record to check the password against, as in PocketBase.
    expectFieldErrors(await confirm(make()), { password: 'validation_invalid_password', token: code });
    expect((await storedUser(test, user.id)).email).toBe(email);
  });

  it('refuses a token of another auth collection', async () => {
    const response = await post(
      'confirm-email-change',
      { token: changeToken(), password: 'password123' },
      undefined,
      'members',
    );
    expectFieldErrors(response, {
      password: 'validation_invalid_password',
      token: 'validation_token_collection_mismatch',
    });
  });

  it('answers 400 for superusers', async () => {
    const response = await post(
      'confirm-email-change',
      { token: changeToken(), password: 'x' },
      undefined,
      '_superusers',
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe('All superusers can change their emails directly.');
  });
});
