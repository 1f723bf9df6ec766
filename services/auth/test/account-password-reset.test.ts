import { type SmtpCapture } from '@hivebase/platform/testing';
import { signRecordToken } from '@hivebase/runtime';
import { type AuthCollection, normalizeCollection } from '@hivebase/schema';
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
const signIn = (identity: string, password: string) => post('auth-with-password', { identity, password });
const reset = (token: string, password: string, passwordConfirm = password) =>
  post('confirm-password-reset', { token, password, passwordConfirm });

/** A new user (unverified unless told) and the reset token mailed to it. */
async function userWithMailedToken(email: string, verified = false) {
  const user = await createAuthRecord(test, 'users', { email, verified });
  expect((await post('request-password-reset', { email })).statusCode).toBe(204);
  return { user, token: await tokenMailedTo(smtp, email, 'confirm-password-reset') };
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

describe('password reset', () => {
  it('sets the password from the mailed link, once, and ends the old sessions', async () => {
    const { user, token } = await userWithMailedToken('reset-flow@example.com');
    expect((await reset(token, 'new-password-1')).statusCode).toBe(204);

    expect((await signIn('reset-flow@example.com', 'new-password-1')).statusCode).toBe(200);
    expect((await signIn('reset-flow@example.com', 'password123')).statusCode).toBe(400);
    // The new tokenKey ends the sessions and the link itself.
    expect((await post('auth-refresh', {}, user.token)).statusCode).toBe(401);
    expectFieldErrors(await reset(token, 'new-password-2'), { token: 'validation_invalid_token' });
    // The link reached the record's email: that proves it.
    expect((await storedUser(test, user.id)).verified).toBe(true);
  });

  it('leaves the record unverified when its email is no longer the one the link went to', async () => {
    const { user, token } = await userWithMailedToken('reset-moved@example.com');
    await test.pool.query(`UPDATE users SET email = 'reset-moved-2@example.com' WHERE id = $1`, [user.id]);
    expect((await reset(token, 'new-password-1')).statusCode).toBe(204);
    expect(await storedUser(test, user.id)).toMatchObject({ email: 'reset-moved-2@example.com', verified: false });
  });

  it('answers 204 and mails nothing for an unknown email', async () => {
    expect((await post('request-password-reset', { email: 'nobody@example.com' })).statusCode).toBe(204);
    await expectNoMailTo(test, smtp, 'nobody@example.com');
  });

  it('mails a record at most once per window, and again once the reset is done', async () => {
    const { token } = await userWithMailedToken('reset-twice@example.com', true);
    smtp.clear();
    expect((await post('request-password-reset', { email: 'reset-twice@example.com' })).statusCode).toBe(204);
    await expectNoMailTo(test, smtp, 'reset-twice@example.com');

    expect((await reset(token, 'new-password-1')).statusCode).toBe(204);
    expect((await post('request-password-reset', { email: 'reset-twice@example.com' })).statusCode).toBe(204);
    await tokenMailedTo(smtp, 'reset-twice@example.com', 'confirm-password-reset');
  });

  it.each<[string, unknown, string]>([
    ['missing', {}, 'validation_required'],
    ['not an email', { email: 'nope' }, 'validation_is_email'],
  ])('refuses an email that is %s (400)', async (_case, body, code) => {
    expectFieldErrors(await post('request-password-reset', body), { email: code });
  });

  it('is refused when the collection has password auth disabled', async () => {
    const { collection } = normalizeCollection({ name: 'nopass', type: 'auth', passwordAuth: { enabled: false } });
    await test.registry.apply(() => [{ before: null, after: collection }]);
    const response = await post('request-password-reset', { email: 'a@example.com' }, undefined, 'nopass');
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe('The collection is not configured to allow password authentication.');
  });
});

describe('confirm-password-reset validation', () => {
  let user: { id: string; tokenKey: string };
  const email = 'reset-bad@example.com';
  const resetToken = () => signRecordToken(users, user, 'passwordResetToken', { email });
  beforeAll(async () => {
    user = await createAuthRecord(test, 'users', { email });
  });

  it('requires every field', async () => {
    expectFieldErrors(await post('confirm-password-reset', {}), {
      password: 'validation_required',
      passwordConfirm: 'validation_required',
      token: 'validation_required',
    });
  });

  it("checks the length against the password field's min and the confirmation", async () => {
    expectFieldErrors(await reset(resetToken(), '1234567', '7654321'), {
      password: 'validation_length_out_of_range',
      passwordConfirm: 'validation_values_mismatch',
    });
  });

  it("leaves the field's other rules to the record write (PocketBase's message)", async () => {
    const response = await reset(resetToken(), 'x'.repeat(100));
    expectFieldErrors(response, { password: 'validation_max_text_constraint' }, 'Failed to set new password.');
    expect((await storedUser(test, user.id)).tokenKey).toBe(user.tokenKey);
  });

  it.each<[string, () => string]>([
    ['forged', () => `${resetToken().slice(0, -4)}AAAA`],
    ['expired', () => signRecordToken(users, user, 'passwordResetToken', { email }, -60)],
    ['a verification token', () => signRecordToken(users, user, 'verificationToken', { email })],
    ['not a JWT', () => 'not-a-token'],
  ])('refuses a token that is %s', async (_case, make) => {
    expectFieldErrors(await reset(make(), 'new-password-1'), { token: 'validation_invalid_token' });
    expect((await storedUser(test, user.id)).tokenKey).toBe(user.tokenKey);
  });

  it('refuses a token of another auth collection', async () => {
    const response = await post(
      'confirm-password-reset',
      { token: resetToken(), password: 'new-password-1', passwordConfirm: 'new-password-1' },
      undefined,
      'members',
    );
    expectFieldErrors(response, { token: 'validation_token_collection_mismatch' });
  });
});
