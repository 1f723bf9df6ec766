import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SmtpCapture, smtpSettingsFor, startSmtpCapture } from '@hivebase/platform/testing';
import { signRecordToken } from '@hivebase/runtime';
import { type AuthCollection, type Collection, normalizeCollection } from '@hivebase/schema';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OidcServer, startOidcServer } from '../src/testing/oidc-server';
import { expectNoMailTo, postTo, tokenMailedTo } from './support/account-mail';
import { type AuthTestApp, createAuthRecord, startAuthApp } from './support/auth-app';

type Json = Record<string, unknown>;

// Every auth request hook on `users` only (the `members` collection shows the scope). A record
// whose email starts with `refuse` is refused by each hook; `globalThis.authHookLog` collects
// what the hooks saw (the extension runs in this process).
const EXTENSION = `
const { defineExtension, badRequestError } = require('hivebase');
const log = (globalThis.authHookLog ??= []);
const refused = (record) => String(record?.email ?? '').startsWith('refuse');
const simple = (hook) => ({ collections: ['users'], handler: async (e) => {
  log.push({ hook, collection: e.collection.name, email: e.record?.email ?? null, newEmail: e.newEmail });
  if (refused(e.record)) throw badRequestError(hook + ' refused.');
  await e.next();
} });
module.exports = defineExtension({
  hooks: {
    onRecordAuthRefreshRequest: { collections: ['users'], handler: async (e) => {
      log.push({ hook: 'refresh', collection: e.collection.name, email: e.record.email, auth: e.auth?.record.id });
      if (refused(e.record)) throw badRequestError('No refresh.');
      e.record.name = 'refreshed by a hook';
      await e.next();
    } },
    onRecordRequestOTPRequest: { collections: ['users'], handler: async (e) => {
      log.push({ hook: 'requestOTP', email: e.record?.email ?? null, codeLength: e.password.length });
      if (refused(e.record)) throw badRequestError('No OTP.');
      if (e.record?.email === 'fixed@example.com') e.password = '11112222';
      await e.next();
    } },
    onRecordAuthWithOTPRequest: { collections: ['users'], handler: async (e) => {
      log.push({ hook: 'authWithOTP', email: e.record.email, otpRecord: e.otp.recordRef, hash: 'password' in e.otp });
      if (e.record.name === 'no otp sign-in') throw badRequestError('No OTP sign-in.');
      await e.next();
    } },
    onRecordAuthWithOAuth2Request: { collections: ['users'], handler: async (e) => {
      log.push({ hook: 'oauth2', provider: e.providerName, email: e.oauth2User.email, isNew: e.isNewRecord,
        record: e.record?.email ?? null, accessToken: typeof e.oauth2User.accessToken === 'string' && e.oauth2User.accessToken !== '' });
      if (refused({ email: e.oauth2User.email })) throw badRequestError('No OAuth2.');
      e.createData.name = 'made by a hook';
      await e.next();
    } },
    onRecordRequestPasswordResetRequest: simple('requestPasswordReset'),
    onRecordConfirmPasswordResetRequest: simple('confirmPasswordReset'),
    onRecordRequestVerificationRequest: simple('requestVerification'),
    onRecordConfirmVerificationRequest: simple('confirmVerification'),
    onRecordRequestEmailChangeRequest: simple('requestEmailChange'),
    onRecordConfirmEmailChangeRequest: simple('confirmEmailChange'),
  },
});
`;

const hookLog = (): Json[] => {
  const scope = globalThis as { authHookLog?: Json[] };
  scope.authHookLog ??= [];
  return scope.authHookLog;
};
const drainLog = () => hookLog().splice(0);

let test: AuthTestApp;
let smtp: SmtpCapture;
let idp: OidcServer;
let dir = '';

const row = async (id: string) =>
  (await test.pool.query<Json>(`SELECT email, verified, name, password, "tokenKey" FROM users WHERE id = $1`, [id]))
    .rows[0];
const otpCount = async (recordId: string) =>
  Number((await test.pool.query(`SELECT count(*) FROM "_otps" WHERE "recordRef" = $1`, [recordId])).rows[0].count);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hb-auth-hooks-test-'));
  writeFileSync(join(dir, 'auth.js'), EXTENSION);
  idp = await startOidcServer();
  idp.accounts.set('newbie', { email: 'newbie@example.com', emailVerified: true });
  idp.accounts.set('refuser', { email: 'refuse-oauth@example.com', emailVerified: true });
  smtp = await startSmtpCapture();
  test = await startAuthApp({ HB_HOOKS_DIR: dir, HB_HOOKS_TYPECHECK: 'false' });
  await test.settings.update(smtpSettingsFor(smtp));
  const users = test.registry.find('users') as AuthCollection;
  const members = normalizeCollection({ name: 'members', type: 'auth' }).collection as AuthCollection;
  const otp = (collection: AuthCollection) => ({ ...collection.otp, enabled: true });
  const oauth2 = {
    ...users.oauth2,
    enabled: true,
    providers: [
      {
        name: 'oidc',
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        authURL: idp.authURL,
        tokenURL: idp.tokenURL,
        userInfoURL: idp.userInfoURL,
        displayName: 'Test IdP',
        pkce: null,
        extra: null,
      },
    ],
  };
  await test.registry.apply(() => [
    { before: users, after: { ...users, otp: otp(users), oauth2 } as Collection },
    { before: null, after: { ...members, otp: otp(members) } as Collection },
  ]);
});
afterAll(async () => {
  await test?.close();
  await smtp?.close();
  await idp?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  smtp.clear();
  drainLog();
});

describe('onRecordAuthRefreshRequest', () => {
  it('fires for its collection only, and what it changes on the record is answered (not stored)', async () => {
    const user = await createAuthRecord(test, 'users', { email: 'refresh@example.com', name: 'stored' });
    const refreshed = await postTo(test, 'auth-refresh', {}, user.token);
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json().record).toMatchObject({ id: user.id, name: 'refreshed by a hook' });
    expect(refreshed.json().token).toEqual(expect.any(String));
    expect((await row(user.id)).name).toBe('stored');
    expect(drainLog()).toEqual([{ hook: 'refresh', collection: 'users', email: 'refresh@example.com', auth: user.id }]);

    const member = await createAuthRecord(test, 'members', { email: 'member@example.com' });
    const other = await postTo(test, 'auth-refresh', {}, member.token, 'members');
    expect(other.statusCode).toBe(200);
    expect(drainLog()).toEqual([]);
  });

  it('refuses with the hook’s 400 and issues no token', async () => {
    const user = await createAuthRecord(test, 'users', { email: 'refuse-refresh@example.com' });
    const refused = await postTo(test, 'auth-refresh', {}, user.token);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ status: 400, message: 'No refresh.', data: {} });
  });
});

describe('OTP hooks', () => {
  it('requestOTP sees the record and the code, may change the code; authWithOTP fires on sign-in', async () => {
    const user = await createAuthRecord(test, 'users', { email: 'fixed@example.com' });
    const requested = await postTo(test, 'request-otp', { email: 'fixed@example.com' });
    expect(requested.statusCode).toBe(200);
    const mail = await smtp.waitForMail((candidate) => candidate.to.includes('fixed@example.com'));
    expect(mail.text).toContain('11112222');
    const signedIn = await postTo(test, 'auth-with-otp', { otpId: requested.json().otpId, password: '11112222' });
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().record.id).toBe(user.id);
    expect(drainLog()).toEqual([
      { hook: 'requestOTP', email: 'fixed@example.com', codeLength: 8 },
      { hook: 'authWithOTP', email: 'fixed@example.com', otpRecord: user.id, hash: false },
    ]);

    // An unknown email: the hook sees no record, the answer is the usual made-up id.
    const unknown = await postTo(test, 'request-otp', { email: 'nobody@example.com' });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json().otpId).toMatch(/^[a-z0-9]{15}$/);
    expect(drainLog()).toEqual([{ hook: 'requestOTP', email: null, codeLength: 8 }]);

    await createAuthRecord(test, 'members', { email: 'member-otp@example.com' });
    expect(
      (await postTo(test, 'request-otp', { email: 'member-otp@example.com' }, undefined, 'members')).statusCode,
    ).toBe(200);
    expect(drainLog()).toEqual([]);
  });

  it('a refusing requestOTP answers 400: no code stored, no mail', async () => {
    const user = await createAuthRecord(test, 'users', { email: 'refuse-otp@example.com' });
    const refused = await postTo(test, 'request-otp', { email: 'refuse-otp@example.com' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ status: 400, message: 'No OTP.', data: {} });
    expect(await otpCount(user.id)).toBe(0);
    await expectNoMailTo(test, smtp, 'refuse-otp@example.com');
  });

  it('a refusing authWithOTP answers 400: no token, the code not used up', async () => {
    const user = await createAuthRecord(test, 'users', { email: 'otp-refused@example.com', name: 'no otp sign-in' });
    const { otpId } = (await postTo(test, 'request-otp', { email: 'otp-refused@example.com' })).json();
    const mail = await smtp.waitForMail((candidate) => candidate.to.includes('otp-refused@example.com'));
    const code = /\b(\d{8})\b/.exec(mail.text)?.[1];
    const refused = await postTo(test, 'auth-with-otp', { otpId, password: code });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ status: 400, message: 'No OTP sign-in.', data: {} });
    expect(await otpCount(user.id)).toBe(1);
    expect((await row(user.id)).verified).toBe(false);
  });
});

describe('onRecordAuthWithOAuth2Request', () => {
  async function signIn(accountId: string) {
    const methods = (await test.app.inject({ method: 'GET', url: '/api/collections/users/auth-methods' })).json();
    const info = methods.oauth2.providers[0];
    const { code } = await idp.authorize(info.authURL, accountId);
    return postTo(test, 'auth-with-oauth2', {
      provider: 'oidc',
      code,
      codeVerifier: info.codeVerifier,
      redirectURL: idp.redirectURL,
    });
  }

  it('sees the provider’s user and may change a sign-up’s createData', async () => {
    const signedIn = await signIn('newbie');
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().record).toMatchObject({ email: 'newbie@example.com', name: 'made by a hook' });
    expect(drainLog()).toEqual([
      { hook: 'oauth2', provider: 'oidc', email: 'newbie@example.com', isNew: true, record: null, accessToken: true },
    ]);
  });

  it('a refusing one answers 400: no token, no sign-up, no link', async () => {
    const refused = await signIn('refuser');
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ status: 400, message: 'No OAuth2.', data: {} });
    const users = await test.pool.query(`SELECT id FROM users WHERE email = 'refuse-oauth@example.com'`);
    expect(users.rowCount).toBe(0);
    const links = await test.pool.query(`SELECT id FROM "_externalAuths" WHERE "providerId" = 'refuser'`);
    expect(links.rowCount).toBe(0);
  });
});

describe('account flow hooks', () => {
  it('password reset: both hooks fire; refusals send no mail and change no password', async () => {
    const user = await createAuthRecord(test, 'users', { email: 'reset@example.com' });
    expect((await postTo(test, 'request-password-reset', { email: 'reset@example.com' })).statusCode).toBe(204);
    const token = await tokenMailedTo(smtp, 'reset@example.com', 'confirm-password-reset');
    const confirmed = await postTo(test, 'confirm-password-reset', {
      token,
      password: 'new-password-1',
      passwordConfirm: 'new-password-1',
    });
    expect(confirmed.statusCode).toBe(204);
    expect(drainLog()).toEqual([
      { hook: 'requestPasswordReset', collection: 'users', email: 'reset@example.com', newEmail: undefined },
      { hook: 'confirmPasswordReset', collection: 'users', email: 'reset@example.com', newEmail: undefined },
    ]);
    expect((await row(user.id)).tokenKey).not.toBe(user.tokenKey);

    // A second request within the resend window answers 204 before the hook, as PocketBase's does.
    await createAuthRecord(test, 'users', { email: 'twice@example.com' });
    for (let i = 0; i < 2; i++) {
      expect((await postTo(test, 'request-password-reset', { email: 'twice@example.com' })).statusCode).toBe(204);
    }
    expect(drainLog().map((entry) => entry.email)).toEqual(['twice@example.com']);

    const victim = await createAuthRecord(test, 'users', { email: 'refuse-reset@example.com' });
    const refused = await postTo(test, 'request-password-reset', { email: 'refuse-reset@example.com' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toBe('requestPasswordReset refused.');
    await expectNoMailTo(test, smtp, 'refuse-reset@example.com');
    const users = test.registry.find('users') as AuthCollection;
    const resetToken = signRecordToken(users, { id: victim.id, tokenKey: victim.tokenKey }, 'passwordResetToken', {
      email: 'refuse-reset@example.com',
    });
    const before = await row(victim.id);
    const refusedConfirm = await postTo(test, 'confirm-password-reset', {
      token: resetToken,
      password: 'new-password-1',
      passwordConfirm: 'new-password-1',
    });
    expect(refusedConfirm.statusCode).toBe(400);
    expect(refusedConfirm.json().message).toBe('confirmPasswordReset refused.');
    expect(await row(victim.id)).toEqual(before);
  });

  it('verification: both hooks fire; refusals send no mail and verify nothing', async () => {
    const user = await createAuthRecord(test, 'users', { email: 'verify@example.com' });
    expect((await postTo(test, 'request-verification', { email: 'verify@example.com' })).statusCode).toBe(204);
    const token = await tokenMailedTo(smtp, 'verify@example.com', 'confirm-verification');
    expect((await postTo(test, 'confirm-verification', { token })).statusCode).toBe(204);
    expect((await row(user.id)).verified).toBe(true);
    expect(drainLog().map((entry) => entry.hook)).toEqual(['requestVerification', 'confirmVerification']);

    const victim = await createAuthRecord(test, 'users', { email: 'refuse-verify@example.com' });
    const refused = await postTo(test, 'request-verification', { email: 'refuse-verify@example.com' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toBe('requestVerification refused.');
    const users = test.registry.find('users') as AuthCollection;
    const verifyToken = signRecordToken(users, { id: victim.id, tokenKey: victim.tokenKey }, 'verificationToken', {
      email: 'refuse-verify@example.com',
    });
    const refusedConfirm = await postTo(test, 'confirm-verification', { token: verifyToken });
    expect(refusedConfirm.statusCode).toBe(400);
    expect(refusedConfirm.json().message).toBe('confirmVerification refused.');
    expect((await row(victim.id)).verified).toBe(false);
    // The marker's verification mail goes through the hook too (its email is not refused).
    await expectNoMailTo(test, smtp, 'refuse-verify@example.com');
  });

  it('email change: both hooks see the new email; refusals send no mail and change nothing', async () => {
    const user = await createAuthRecord(test, 'users', { email: 'change@example.com' });
    const requested = await postTo(test, 'request-email-change', { newEmail: 'changed@example.com' }, user.token);
    expect(requested.statusCode).toBe(204);
    const token = await tokenMailedTo(smtp, 'changed@example.com', 'confirm-email-change');
    expect((await postTo(test, 'confirm-email-change', { token, password: 'password123' })).statusCode).toBe(204);
    expect((await row(user.id)).email).toBe('changed@example.com');
    expect(drainLog()).toEqual([
      { hook: 'requestEmailChange', collection: 'users', email: 'change@example.com', newEmail: 'changed@example.com' },
      { hook: 'confirmEmailChange', collection: 'users', email: 'change@example.com', newEmail: 'changed@example.com' },
    ]);

    const victim = await createAuthRecord(test, 'users', { email: 'refuse-change@example.com' });
    const refused = await postTo(test, 'request-email-change', { newEmail: 'elsewhere@example.com' }, victim.token);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toBe('requestEmailChange refused.');
    await expectNoMailTo(test, smtp, 'elsewhere@example.com');
    const users = test.registry.find('users') as AuthCollection;
    const changeToken = signRecordToken(users, { id: victim.id, tokenKey: victim.tokenKey }, 'emailChangeToken', {
      email: 'refuse-change@example.com',
      newEmail: 'elsewhere@example.com',
    });
    const refusedConfirm = await postTo(test, 'confirm-email-change', { token: changeToken, password: 'password123' });
    expect(refusedConfirm.statusCode).toBe(400);
    expect(refusedConfirm.json().message).toBe('confirmEmailChange refused.');
    expect((await row(victim.id)).email).toBe('refuse-change@example.com');
  });
});
