import PocketBase, { getTokenPayload } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AuthFixture, failure, SHAPE_NAMES, startAuthFixture } from './support/auth-fixture';
import { mailMark, otpMailedTo, recipients, tokenMailedTo } from './support/mail';

// A password change must end the record's other sessions on every service within a second.
const REVOCATION = { timeout: 1_000, interval: 50 };
// Collection changes reach the other services over the bus; the auth service answers auth-methods.
const PROPAGATION = { timeout: 10_000, interval: 100 };

describe.each(SHAPE_NAMES)('authentication through the SDK (%s)', (shape) => {
  let fixture: AuthFixture;

  beforeAll(async () => {
    fixture = await startAuthFixture(shape);
  }, 180_000);
  afterAll(async () => {
    await fixture?.stop();
  });

  /** A new `users` record, as an app's sign-up form creates it. */
  const signUp = (email: string, password: string) =>
    fixture.client().collection('users').create({ email, password, passwordConfirm: password });

  /** A new client signed in as `email`. */
  async function signIn(email: string, password: string): Promise<PocketBase> {
    const pb = fixture.client();
    await pb.collection('users').authWithPassword(email, password);
    return pb;
  }

  /** A new client holding `token`, as an app restoring a saved session. */
  function sessionOf(token: string): PocketBase {
    const pb = fixture.client();
    pb.authStore.save(token, null);
    return pb;
  }

  /** Waits until `token` is refused by the auth service (refresh) and the collections service (own record). */
  async function expectRevoked(token: string, recordId: string): Promise<void> {
    await vi.waitFor(async () => {
      expect((await failure(sessionOf(token).collection('users').authRefresh())).status).toBe(401);
      // The users view rule is `id = @request.auth.id`: a guest gets 404.
      expect((await failure(sessionOf(token).collection('users').getOne(recordId))).status).toBe(404);
    }, REVOCATION);
  }

  /** Turns OTP and MFA on or off for `users` as a superuser, and waits until the auth service applies it. */
  async function configureUsers(options: { otp: boolean; mfa: boolean }): Promise<void> {
    await fixture.root.collections.update('users', {
      otp: { enabled: options.otp },
      mfa: { enabled: options.mfa },
    });
    await vi.waitFor(async () => {
      const methods = await fixture.client().collection('users').listAuthMethods();
      expect({ otp: methods.otp.enabled, mfa: methods.mfa.enabled }).toEqual(options);
    }, PROPAGATION);
  }

  it('lists the auth methods of a fresh users collection', async () => {
    expect(await fixture.client().collection('users').listAuthMethods()).toEqual({
      password: { identityFields: ['email'], enabled: true },
      oauth2: { providers: [], enabled: false },
      mfa: { enabled: false, duration: 0 },
      otp: { enabled: false, duration: 0 },
    });
  });

  it('signs up, signs in with a password and refreshes the token', async () => {
    const created = await signUp('ada@example.com', 'ada-password');
    expect(created).toMatchObject({ collectionName: 'users', verified: false });

    const pb = fixture.client();
    const auth = await pb.collection('users').authWithPassword('ada@example.com', 'ada-password');
    expect(auth.record).toMatchObject({ id: created.id, email: 'ada@example.com' });
    expect(auth.record).not.toHaveProperty('password');
    expect(auth.record).not.toHaveProperty('tokenKey');
    expect(pb.authStore.isValid).toBe(true);
    expect(pb.authStore.record?.id).toBe(created.id);
    expect(getTokenPayload(auth.token)).toMatchObject({
      id: created.id,
      type: 'auth',
      collectionId: '_pb_users_auth_',
      refreshable: true,
    });

    const refreshed = await pb.collection('users').authRefresh();
    expect(refreshed.record.id).toBe(created.id);
    expect(pb.authStore.token).toBe(refreshed.token);
    expect((await pb.collection('users').getOne(created.id)).email).toBe('ada@example.com');
  });

  it('refuses a wrong password and an unknown identity with the same 400', async () => {
    await signUp('bob@example.com', 'bob-password');
    const wrong = await failure(fixture.client().collection('users').authWithPassword('bob@example.com', 'nope-nope'));
    const unknown = await failure(
      fixture.client().collection('users').authWithPassword('nobody@example.com', 'bob-password'),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.response).toEqual({ data: {}, message: 'Failed to authenticate.', status: 400 });
    expect(unknown.response).toEqual(wrong.response);
  });

  it('verifies an email address with the mailed token', async () => {
    const created = await signUp('cleo@example.com', 'cleo-password');
    const pb = await signIn('cleo@example.com', 'cleo-password');
    const mark = mailMark(fixture.smtp);
    expect(await pb.collection('users').requestVerification('cleo@example.com')).toBe(true);
    const token = await tokenMailedTo(fixture.smtp, 'cleo@example.com', 'confirm-verification', mark);

    expect(await pb.collection('users').confirmVerification(token)).toBe(true);
    // The SDK marks its own record verified; the server must agree.
    expect(pb.authStore.record?.verified).toBe(true);
    expect((await fixture.root.collection('users').getOne(created.id)).verified).toBe(true);
  });

  it('resets a forgotten password with the mailed token and ends the old sessions', async () => {
    const created = await signUp('dora@example.com', 'dora-old-password');
    const session = await signIn('dora@example.com', 'dora-old-password');
    // Used on both sides right before the change, so any cached copy of the record is fresh.
    await session.collection('users').authRefresh();
    await session.collection('users').getOne(created.id);
    const oldToken = session.authStore.token;

    const guest = fixture.client();
    const mark = mailMark(fixture.smtp);
    expect(await guest.collection('users').requestPasswordReset('dora@example.com')).toBe(true);
    const token = await tokenMailedTo(fixture.smtp, 'dora@example.com', 'confirm-password-reset', mark);
    expect(await guest.collection('users').confirmPasswordReset(token, 'dora-new-password', 'dora-new-password')).toBe(
      true,
    );

    await expectRevoked(oldToken, created.id);
    expect((await failure(signIn('dora@example.com', 'dora-old-password'))).status).toBe(400);
    const renewed = await signIn('dora@example.com', 'dora-new-password');
    // The reset proved the address, so the record is verified too.
    expect(renewed.authStore.record).toMatchObject({ id: created.id, verified: true });
    // The token is single use.
    const reused = await failure(
      guest.collection('users').confirmPasswordReset(token, 'dora-3rd-password', 'dora-3rd-password'),
    );
    expect(reused.status).toBe(400);
    expect(reused.response.data).toMatchObject({ token: { code: 'validation_invalid_token' } });
  });

  it('changes the password with update(oldPassword) and ends the old sessions', async () => {
    const created = await signUp('emil@example.com', 'emil-old-password');
    const pb = await signIn('emil@example.com', 'emil-old-password');
    const other = await signIn('emil@example.com', 'emil-old-password');
    await other.collection('users').authRefresh();
    await other.collection('users').getOne(created.id);
    const oldToken = other.authStore.token;

    const wrongOld = await failure(
      pb.collection('users').update(created.id, {
        oldPassword: 'not-my-password',
        password: 'emil-new-password',
        passwordConfirm: 'emil-new-password',
      }),
    );
    expect(wrongOld.status).toBe(400);
    expect(wrongOld.response.data).toHaveProperty('oldPassword');

    await pb.collection('users').update(created.id, {
      oldPassword: 'emil-old-password',
      password: 'emil-new-password',
      passwordConfirm: 'emil-new-password',
    });
    await expectRevoked(oldToken, created.id);
    // The client that made the change holds a token of the old key as well.
    await expectRevoked(pb.authStore.token, created.id);
    expect((await failure(signIn('emil@example.com', 'emil-old-password'))).status).toBe(400);
    expect((await signIn('emil@example.com', 'emil-new-password')).authStore.record?.id).toBe(created.id);
  });

  it('changes the email address with the token mailed to the new one', async () => {
    const created = await signUp('fay@example.com', 'fay-password');
    const pb = await signIn('fay@example.com', 'fay-password');
    const oldToken = pb.authStore.token;
    const mark = mailMark(fixture.smtp);
    expect(await pb.collection('users').requestEmailChange('fay.new@example.com')).toBe(true);
    const token = await tokenMailedTo(fixture.smtp, 'fay.new@example.com', 'confirm-email-change', mark);
    expect(recipients(fixture.smtp).slice(mark)).not.toContain('fay@example.com');

    const wrongPassword = await failure(pb.collection('users').confirmEmailChange(token, 'not-fay-password'));
    expect(wrongPassword.status).toBe(400);
    expect(wrongPassword.response.data).toMatchObject({ password: { code: 'validation_invalid_password' } });

    expect(await pb.collection('users').confirmEmailChange(token, 'fay-password')).toBe(true);
    // The SDK signs its client out after its own email changed.
    expect(pb.authStore.isValid).toBe(false);
    await expectRevoked(oldToken, created.id);
    expect((await failure(signIn('fay@example.com', 'fay-password'))).status).toBe(400);
    const renewed = await signIn('fay.new@example.com', 'fay-password');
    expect(renewed.authStore.record).toMatchObject({ id: created.id, email: 'fay.new@example.com', verified: true });
  });

  it('refuses an email change request without a signed-in record', async () => {
    expect((await failure(fixture.client().collection('users').requestEmailChange('x@example.com'))).status).toBe(401);
  });

  it('signs in with a mailed one-time password, once', async () => {
    const created = await signUp('gus@example.com', 'gus-password');
    expect((await failure(fixture.client().collection('users').requestOTP('gus@example.com'))).status).toBe(403);
    await configureUsers({ otp: true, mfa: false });

    const pb = fixture.client();
    const mark = mailMark(fixture.smtp);
    const { otpId } = await pb.collection('users').requestOTP('gus@example.com');
    expect(otpId).toMatch(/^[a-z0-9]{15}$/);
    const code = await otpMailedTo(fixture.smtp, 'gus@example.com', mark);

    const auth = await pb.collection('users').authWithOTP(otpId, code);
    // Receiving the code proved the address.
    expect(auth.record).toMatchObject({ id: created.id, verified: true });
    expect(pb.authStore.record?.id).toBe(created.id);
    expect((await failure(fixture.client().collection('users').authWithOTP(otpId, code))).status).toBe(400);
  });

  it('keeps sign-up open after a superuser changed the auth options', async () => {
    await configureUsers({ otp: true, mfa: false });
    const users = await fixture.root.collections.getOne('users');
    const flags = users.fields
      .filter((field) => field.name === 'emailVisibility' || field.name === 'verified')
      .map((field) => [field.name, field.required]);
    // PocketBase's system bool fields are never required (a required bool would have to be true).
    expect(flags).toEqual([
      ['emailVisibility', false],
      ['verified', false],
    ]);
    expect(await signUp('kim@example.com', 'kim-password')).toMatchObject({ verified: false });
  });

  it('asks for a second method with MFA and completes with a one-time password', async () => {
    const created = await signUp('hana@example.com', 'hana-password');
    await configureUsers({ otp: true, mfa: true });
    try {
      const pb = fixture.client();
      const first = await failure(pb.collection('users').authWithPassword('hana@example.com', 'hana-password'));
      expect(first.status).toBe(401);
      const mfaId = first.response.mfaId;
      expect(mfaId).toEqual(expect.any(String));
      expect(pb.authStore.isValid).toBe(false);

      const mark = mailMark(fixture.smtp);
      const { otpId } = await pb.collection('users').requestOTP('hana@example.com');
      const code = await otpMailedTo(fixture.smtp, 'hana@example.com', mark);
      const auth = await pb.collection('users').authWithOTP(otpId, code, { mfaId });
      expect(auth.record.id).toBe(created.id);
      expect(pb.authStore.isValid).toBe(true);
      expect((await pb.collection('users').getOne(created.id)).email).toBe('hana@example.com');
    } finally {
      await configureUsers({ otp: true, mfa: false });
    }
  });

  it('lets a superuser impersonate a user with a non-refreshable token', async () => {
    const created = await signUp('ivan@example.com', 'ivan-password');
    const impersonated = await fixture.root.collection('users').impersonate(created.id, 3600);
    expect(impersonated.authStore.record?.id).toBe(created.id);
    expect(impersonated.authStore.isSuperuser).toBe(false);
    const claims = getTokenPayload(impersonated.authStore.token);
    expect(claims).toMatchObject({ id: created.id, type: 'auth', refreshable: false });
    expect(claims.exp - Date.now() / 1000).toBeGreaterThan(3500);
    expect(claims.exp - Date.now() / 1000).toBeLessThanOrEqual(3600);
    // The superuser's own client is untouched.
    expect(fixture.root.authStore.isSuperuser).toBe(true);

    expect((await impersonated.collection('users').getOne(created.id)).email).toBe('ivan@example.com');
    // Not refreshable: auth-refresh answers the same token with the record (PocketBase).
    const token = impersonated.authStore.token;
    const refreshed = await impersonated.collection('users').authRefresh();
    expect(refreshed.token).toBe(token);
    expect(refreshed.record.id).toBe(created.id);

    const user = await signIn('ivan@example.com', 'ivan-password');
    expect((await failure(user.collection('users').impersonate(created.id, 60))).status).toBe(403);
  });

  it('answers requests for unknown emails exactly as for known ones, and mails nobody', async () => {
    await configureUsers({ otp: true, mfa: false });
    await signUp('jade@example.com', 'jade-password');
    const guest = fixture.client().collection('users');
    const mark = mailMark(fixture.smtp);

    expect(await guest.requestPasswordReset('ghost@example.com')).toBe(true);
    expect(await guest.requestVerification('ghost@example.com')).toBe(true);
    const unknownOtp = await guest.requestOTP('ghost@example.com');

    expect(await guest.requestPasswordReset('jade@example.com')).toBe(true);
    expect(await guest.requestVerification('jade@example.com')).toBe(true);
    const knownOtp = await guest.requestOTP('jade@example.com');
    expect(Object.keys(unknownOtp)).toEqual(Object.keys(knownOtp));
    expect(unknownOtp.otpId).toMatch(/^[a-z0-9]{15}$/);

    // An unknown otpId fails like a wrong code for a real one.
    const wrongCode = await failure(guest.authWithOTP(knownOtp.otpId, '00000000'));
    const unknownId = await failure(guest.authWithOTP(unknownOtp.otpId, '00000000'));
    expect(unknownId.response).toEqual(wrongCode.response);

    // Mail for the ghost would have been queued before the answers, and before jade's.
    await tokenMailedTo(fixture.smtp, 'jade@example.com', 'confirm-password-reset', mark);
    await tokenMailedTo(fixture.smtp, 'jade@example.com', 'confirm-verification', mark);
    await otpMailedTo(fixture.smtp, 'jade@example.com', mark);
    expect(recipients(fixture.smtp)).not.toContain('ghost@example.com');
  });
});
