import { type SmtpCapture, smtpSettingsFor, startSmtpCapture } from '@hivebase/platform/testing';
import type { AuthCollection } from '@hivebase/schema';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AuthTestApp, createAuthRecord, startAuthApp } from './support/auth-app';

let test: AuthTestApp;
let smtp: SmtpCapture;
let user: { id: string; token: string };

const post = (path: string, body: unknown, query = '') =>
  test.app.inject({ method: 'POST', url: `/api/collections/users/${path}${query}`, payload: body as object });

/** Changes the `users` collection's auth options as a superuser would. */
async function configureUsers(change: (users: AuthCollection) => Partial<AuthCollection>): Promise<void> {
  const users = test.registry.find('users') as AuthCollection;
  await test.registry.apply(() => [{ before: users, after: { ...users, ...change(users) } }]);
}

/** The code in the newest OTP mail to `to`. */
async function otpMailedTo(to: string): Promise<string> {
  const mail = await smtp.waitForMail((candidate) => candidate.to.includes(to));
  const code = /\b(\d{8})\b/.exec(mail.text)?.[1];
  if (!code) throw new Error(`no code in mail: ${mail.text}`);
  return code;
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  test = await startAuthApp();
  await test.settings.update(smtpSettingsFor(smtp));
  user = await createAuthRecord(test, 'users', { email: 'otp@example.com' });
});
afterAll(async () => {
  await test?.close();
  await smtp?.close();
});
beforeEach(() => smtp.clear());

describe('auth-methods', () => {
  it("lists the collection's methods in PocketBase's shape, legacy keys included", async () => {
    const response = await test.app.inject({ method: 'GET', url: '/api/collections/users/auth-methods' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      password: { identityFields: ['email'], enabled: true },
      oauth2: { providers: [], enabled: false },
      mfa: { enabled: false, duration: 0 },
      otp: { enabled: false, duration: 0 },
      authProviders: null,
      usernamePassword: false,
      emailPassword: true,
    });
  });

  it('answers 404 for a base collection', async () => {
    expect((await test.app.inject({ method: 'GET', url: '/api/collections/_otps/auth-methods' })).statusCode).toBe(404);
  });
});

describe('OTP', () => {
  it('is refused while the collection has OTP disabled (403)', async () => {
    expect((await post('request-otp', { email: 'otp@example.com' })).statusCode).toBe(403);
    expect((await post('auth-with-otp', { otpId: 'x', password: 'y' })).statusCode).toBe(403);
  });

  describe('enabled', () => {
    beforeAll(() => configureUsers((users) => ({ otp: { ...users.otp, enabled: true } })));

    it('mails a code that signs the record in once and marks it verified', async () => {
      const requested = await post('request-otp', { email: 'otp@example.com' });
      expect(requested.statusCode).toBe(200);
      const { otpId } = requested.json();
      expect(otpId).toMatch(/^[a-z0-9]{15}$/);
      const code = await otpMailedTo('otp@example.com');

      const signedIn = await post('auth-with-otp', { otpId, password: code });
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.json().record).toMatchObject({ id: user.id, verified: true });
      // Used up.
      expect((await post('auth-with-otp', { otpId, password: code })).statusCode).toBe(400);
    });

    it('answers an unknown email like a known one, and sends nothing', async () => {
      const response = await post('request-otp', { email: 'nobody@example.com' });
      expect(response.statusCode).toBe(200);
      expect(response.json().otpId).toMatch(/^[a-z0-9]{15}$/);
      await post('request-otp', { email: 'otp@example.com' });
      await otpMailedTo('otp@example.com');
      expect(smtp.messages.some((mail) => mail.to.includes('nobody@example.com'))).toBe(false);
    });

    it('refuses a wrong code and an unknown otpId with the same 400', async () => {
      const { otpId } = (await post('request-otp', { email: 'otp@example.com' })).json();
      await otpMailedTo('otp@example.com');
      const wrong = await post('auth-with-otp', { otpId, password: '00000000x' });
      const unknown = await post('auth-with-otp', { otpId: 'unknown12345678', password: '12345678' });
      expect(wrong.statusCode).toBe(400);
      expect(unknown.json()).toEqual(wrong.json());
      expect(wrong.json().message).toBe('Invalid or expired OTP');
    });

    it.each([
      ['request-otp', {}, ['email']],
      ['request-otp', { email: 'not-an-email' }, ['email']],
      ['auth-with-otp', {}, ['otpId', 'password']],
      ['auth-with-otp', { otpId: 'a'.repeat(256), password: 'x'.repeat(72) }, ['otpId', 'password']],
    ])('%s validates %j', async (path, body, invalid) => {
      const response = await post(path, body);
      expect(response.statusCode).toBe(400);
      expect(Object.keys(response.json().data).sort()).toEqual(invalid);
    });

    it('limits wrong guesses of one code (429 in PocketBase shape)', async () => {
      const { otpId } = (await post('request-otp', { email: 'otp@example.com' })).json();
      const code = await otpMailedTo('otp@example.com');
      let status = 0;
      for (let attempt = 0; attempt < 20 && status !== 429; attempt++) {
        status = (await post('auth-with-otp', { otpId, password: `wrong${attempt}` })).statusCode;
      }
      expect(status).toBe(429);
      const blocked = await post('auth-with-otp', { otpId, password: code });
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json()).toMatchObject({ status: 429, data: {} });
    });
  });
});

describe('MFA', () => {
  let mfaUser: { id: string };
  beforeAll(async () => {
    mfaUser = await createAuthRecord(test, 'users', { email: 'mfa@example.com', password: 'mfa-password' });
    await configureUsers((users) => ({
      mfa: { ...users.mfa, enabled: true },
      otp: { ...users.otp, enabled: true },
    }));
  });
  afterAll(() => configureUsers((users) => ({ mfa: { ...users.mfa, enabled: false } })));

  const passwordSignIn = (query = '', extra: object = {}) =>
    post('auth-with-password', { identity: 'mfa@example.com', password: 'mfa-password', ...extra }, query);

  it('asks for a second method (401 {mfaId}) and completes with a different one', async () => {
    const first = await passwordSignIn();
    expect(first.statusCode).toBe(401);
    const { mfaId } = first.json();
    expect(first.json()).toEqual({ mfaId });

    const { otpId } = (await post('request-otp', { email: 'mfa@example.com' })).json();
    const code = await otpMailedTo('mfa@example.com');
    const second = await post('auth-with-otp', { otpId, password: code, mfaId });
    expect(second.statusCode).toBe(200);
    expect(second.json().record.id).toBe(mfaUser.id);
    // The MFA session is used up.
    expect((await passwordSignIn(`?mfaId=${mfaId}`)).statusCode).toBe(400);
  });

  it('refuses the same method twice', async () => {
    const { mfaId } = (await passwordSignIn()).json();
    const again = await passwordSignIn('', { mfaId });
    expect(again.statusCode).toBe(400);
    expect(again.json().message).toBe('A different authentication method is required.');
  });

  it("refuses another record's MFA session", async () => {
    const other = await createAuthRecord(test, 'users', { email: 'other@example.com', password: 'other-password' });
    const { mfaId } = (
      await post('auth-with-password', { identity: 'other@example.com', password: 'other-password' })
    ).json();
    expect(other.id).toBeTruthy();
    const { otpId } = (await post('request-otp', { email: 'mfa@example.com' })).json();
    const code = await otpMailedTo('mfa@example.com');
    const response = await post('auth-with-otp', { otpId, password: code, mfaId });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe('Invalid MFA session.');
  });

  it('applies only to records the mfa rule matches', async () => {
    await configureUsers((users) => ({ mfa: { ...users.mfa, rule: "email = 'someone-else@example.com'" } }));
    expect((await passwordSignIn()).statusCode).toBe(200);
    await configureUsers((users) => ({ mfa: { ...users.mfa, rule: '' } }));
  });
});

describe('new sign-in origin alert', () => {
  it('mails the record when it signs in from a new device, not on its first sign-in', async () => {
    await createAuthRecord(test, 'users', { email: 'alert@example.com', password: 'alert-password' });
    const signIn = (userAgent: string) =>
      test.app.inject({
        method: 'POST',
        url: '/api/collections/users/auth-with-password',
        headers: { 'user-agent': userAgent },
        payload: { identity: 'alert@example.com', password: 'alert-password' },
      });
    expect((await signIn('first-device')).statusCode).toBe(200);
    expect((await signIn('first-device')).statusCode).toBe(200);
    expect((await signIn('second-device')).statusCode).toBe(200);
    const alert = await smtp.waitForMail((mail) => mail.to.includes('alert@example.com'));
    expect(alert.text).toContain('second-device');
    expect(smtp.messages.filter((mail) => mail.to.includes('alert@example.com'))).toHaveLength(1);
  });
});
