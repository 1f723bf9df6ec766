// The auth service's loopback OpenID Connect server (oidc-provider), reused as auth-oauth2.e2e.test.ts does.
import { type OidcServer, startOidcServer } from '@hivebase/auth/testing';
import type PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { failure, SHAPE_NAMES } from '../support/auth-fixture';
import { mailMark, tokenMailedTo } from '../support/mail';
import { enableOidcSignIn } from '../support/oidc';
import {
  expectApiError,
  type FixtureUser,
  forgeToken,
  type SecurityFixture,
  signingKeyOf,
  startSecurityFixture,
} from '../support/security-fixture';

// SECURITY-CHECKLIST items 14–21: tokens and auth. Expectations are PocketBase v0.39.11's
// (tools/security/jwt.go ParseJWT: HS256 only; apis/record_auth_refresh.go; apis/record_auth_with_oauth2.go).

// A password change must end the record's other sessions on every service within a second.
const REVOCATION = { timeout: 1_000, interval: 50 };
const NO_AUTH = 'The request requires valid record authorization token.';

describe.each(SHAPE_NAMES)('adversarial tokens and sign-in (%s)', (shape) => {
  let fixture: SecurityFixture;
  let idp: OidcServer;
  let serial = 0;

  beforeAll(async () => {
    idp = await startOidcServer();
    fixture = await startSecurityFixture(shape);
    await enableOidcSignIn(fixture.root, fixture.client(), idp);
  }, 240_000);
  afterAll(async () => {
    await fixture?.stop();
    await idp?.close();
  });

  /** A fresh users record and a client signed in as it (each test its own, so rotations stay local). */
  async function newUser(verified = true): Promise<FixtureUser> {
    serial += 1;
    const email = `user${serial}-${shape}@example.com`;
    const password = `user${serial}-password`;
    const record = await fixture.root
      .collection('users')
      .create({ email, password, passwordConfirm: password, verified });
    return { id: record.id, email, password, pb: await fixture.signIn(email, password) };
  }

  const refresh = (token: string, collection = 'users') =>
    fixture.api(`/api/collections/${collection}/auth-refresh`, { method: 'POST', token });
  const viewPrivateNoteOfA = (token: string) =>
    fixture.api(`/api/collections/notes/records/${fixture.notes.aPrivate}`, { token });
  const claimsFor = (id: string, collectionId: string, extra: Record<string, unknown> = {}) => ({
    id,
    type: 'auth',
    collectionId,
    refreshable: true,
    exp: Math.floor(Date.now() / 1000) + 3600,
    ...extra,
  });

  async function expectRefused(token: string): Promise<void> {
    const answer = await refresh(token);
    expectApiError(answer, 401);
    expect((answer.json as { message: string }).message).toBe(NO_AUTH);
    // on a records route a refused token is no token: A's private note is not found
    expectApiError(await viewPrivateNoteOfA(token), 404);
  }

  describe('14. only HS256 tokens are accepted', () => {
    it('accepts an HS256 token signed with the right key (the control for the forgeries below)', async () => {
      const { key, collectionId } = await signingKeyOf(fixture, 'users', fixture.a.id);
      const token = forgeToken({ alg: 'HS256', typ: 'JWT' }, claimsFor(fixture.a.id, collectionId), key);
      expect((await refresh(token)).status).toBe(200);
      expect((await viewPrivateNoteOfA(token)).status).toBe(200);
    });

    it.each([
      ['alg none, no signature', { alg: 'none', typ: 'JWT' }, 0],
      ['alg None, no signature', { alg: 'None', typ: 'JWT' }, 0],
      ['alg HS256, no signature', { alg: 'HS256', typ: 'JWT' }, 0],
      ['alg none, HMAC signature', { alg: 'none', typ: 'JWT' }, 256],
      ['RS256 with an HMAC signature', { alg: 'RS256', typ: 'JWT' }, 256],
      ['ES256 with an HMAC signature', { alg: 'ES256', typ: 'JWT' }, 256],
      ['HS384', { alg: 'HS384', typ: 'JWT' }, 384],
      ['HS512', { alg: 'HS512', typ: 'JWT' }, 512],
      ['HS256 with an HS512 signature', { alg: 'HS256', typ: 'JWT' }, 512],
    ] as const)('refuses %s', async (_what, header, bits) => {
      const { key, collectionId } = await signingKeyOf(fixture, 'users', fixture.a.id);
      await expectRefused(forgeToken(header, claimsFor(fixture.a.id, collectionId), key, bits));
    });

    it('refuses tokens of the wrong type signed with the right key', async () => {
      const { key, collectionId } = await signingKeyOf(fixture, 'users', fixture.a.id);
      for (const type of ['file', 'passwordReset', 'verification', 'emailChange', 'admin', '']) {
        await expectRefused(forgeToken({ alg: 'HS256' }, claimsFor(fixture.a.id, collectionId, { type }), key));
      }
    });

    it.each([
      ['garbage', 'not-a-token'],
      ['three empty parts', '..'],
      ['a bearer prefix only', 'Bearer '],
      ['huge', `${'a'.repeat(6000)}.${'b'.repeat(6000)}.c`],
    ])('treats a %s token as no token', async (_what, token) => {
      await expectRefused(token);
    });
  });

  describe('15. another collection’s secret, or the same id elsewhere, is not enough', () => {
    it('refuses a users token signed with the members collection’s secret', async () => {
      const users = await signingKeyOf(fixture, 'users', fixture.a.id);
      const [{ secret }] = await fixture.sql<{ secret: string }>(
        `SELECT data -> 'authToken' ->> 'secret' AS secret FROM "_collections" WHERE name = 'members'`,
      );
      const [{ tokenKey }] = await fixture.sql<{ tokenKey: string }>('SELECT "tokenKey" FROM users WHERE id = $1', [
        fixture.a.id,
      ]);
      await expectRefused(forgeToken({ alg: 'HS256' }, claimsFor(fixture.a.id, users.collectionId), tokenKey + secret));
    });

    it('refuses a members record with A’s id on users routes, and its key for a users claim', async () => {
      await fixture.root.collection('members').create({
        id: fixture.a.id,
        email: 'twin@example.com',
        password: 'twin-password-1',
        passwordConfirm: 'twin-password-1',
      });
      const twin = await fixture.signIn('twin@example.com', 'twin-password-1', 'members');
      const answer = await refresh(twin.authStore.token);
      expectApiError(answer, 403);
      // its own key, a users claim: the signature is checked with users' secret and A's tokenKey
      const members = await signingKeyOf(fixture, 'members', fixture.a.id);
      const users = await signingKeyOf(fixture, 'users', fixture.a.id);
      await expectRefused(forgeToken({ alg: 'HS256' }, claimsFor(fixture.a.id, users.collectionId), members.key));
    });
  });

  describe('16. a password change ends the old sessions', () => {
    it('refuses the old tokens on the auth and the collections services', async () => {
      const user = await newUser();
      const other = await fixture.signIn(user.email, user.password);
      const oldToken = other.authStore.token;
      // used on both services right before the change, so any cached copy is warm
      expect((await refresh(oldToken)).status).toBe(200);
      expect((await fixture.api(`/api/collections/users/records/${user.id}`, { token: oldToken })).status).toBe(200);

      await user.pb.collection('users').update(user.id, {
        oldPassword: user.password,
        password: 'a-brand-new-password',
        passwordConfirm: 'a-brand-new-password',
      });
      await vi.waitFor(async () => {
        expectApiError(await refresh(oldToken), 401);
        // users' view rule needs a signed-in record: a refused token makes a guest
        expectApiError(await fixture.api(`/api/collections/users/records/${user.id}`, { token: oldToken }), 404);
      }, REVOCATION);
    });
  });

  describe('17. expired and non-refreshable tokens', () => {
    it('refuses a token whose exp has passed, signed with the right key', async () => {
      const { key, collectionId } = await signingKeyOf(fixture, 'users', fixture.a.id);
      await expectRefused(
        forgeToken(
          { alg: 'HS256' },
          claimsFor(fixture.a.id, collectionId, { exp: Math.floor(Date.now() / 1000) - 5 }),
          key,
        ),
      );
      await expectRefused(forgeToken({ alg: 'HS256' }, claimsFor(fixture.a.id, collectionId, { exp: 'never' }), key));
    });

    it('answers auth-refresh with an impersonation token with the same token (PocketBase does not renew it)', async () => {
      const user = await newUser();
      const impersonated = await fixture.root.collection('users').impersonate(user.id, 120);
      const token = impersonated.authStore.token;
      const answer = await refresh(token);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ token, record: { id: user.id } });
    });

    it('does not let a non-refreshable claim be turned refreshable without the key', async () => {
      const user = await newUser();
      const impersonated = await fixture.root.collection('users').impersonate(user.id, 120);
      const [header, payload, signature] = impersonated.authStore.token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, refreshable: true, exp: claims.exp + 86400 })).toString('base64url')}.${signature}`;
      expectApiError(await refresh(tampered), 401);
    });
  });

  describe('18. brute force', () => {
    it('answers the attempt after the 5th failure with 429, even with the right password', async () => {
      const user = await newUser();
      const guest = fixture.client();
      for (let attempt = 1; attempt <= 5; attempt++) {
        const error = await failure(
          guest.collection('users').authWithPassword(user.email, `wrong-${attempt}-password`),
        );
        expect(error.status).toBe(400);
      }
      const blocked = await failure(guest.collection('users').authWithPassword(user.email, 'wrong-6-password'));
      expect(blocked.response).toEqual({ status: 429, message: 'Too Many Requests.', data: {} });
      const right = await failure(guest.collection('users').authWithPassword(user.email, user.password));
      expect(right.status).toBe(429);
      // the identity is counted however its case is written
      const shouted = await failure(
        guest.collection('users').authWithPassword(user.email.toUpperCase(), user.password),
      );
      expect(shouted.status).toBe(429);
    });
  });

  describe('19. account tokens are single use, tied to the tokenKey; no enumeration', () => {
    it('uses a password reset token once', async () => {
      const user = await newUser();
      const guest = fixture.client().collection('users');
      const mark = mailMark(fixture.smtp);
      await guest.requestPasswordReset(user.email);
      const token = await tokenMailedTo(fixture.smtp, user.email, 'confirm-password-reset', mark);
      expect(await guest.confirmPasswordReset(token, 'reset-password-1', 'reset-password-1')).toBe(true);
      const again = await failure(guest.confirmPasswordReset(token, 'reset-password-2', 'reset-password-2'));
      expect(again.status).toBe(400);
      expect(again.response.data).toMatchObject({ token: { code: 'validation_invalid_token' } });
    });

    it('voids a reset token and a verification token when the password changes', async () => {
      const user = await newUser(false);
      const guest = fixture.client().collection('users');
      const mark = mailMark(fixture.smtp);
      await guest.requestPasswordReset(user.email);
      await guest.requestVerification(user.email);
      const reset = await tokenMailedTo(fixture.smtp, user.email, 'confirm-password-reset', mark);
      const verification = await tokenMailedTo(fixture.smtp, user.email, 'confirm-verification', mark);
      await user.pb.collection('users').update(user.id, {
        oldPassword: user.password,
        password: 'changed-password-1',
        passwordConfirm: 'changed-password-1',
      });
      expect((await failure(guest.confirmPasswordReset(reset, 'stolen-password-1', 'stolen-password-1'))).status).toBe(
        400,
      );
      expect((await failure(guest.confirmVerification(verification))).status).toBe(400);
      expect((await fixture.root.collection('users').getOne(user.id)).verified).toBe(false);
      await fixture.signIn(user.email, 'changed-password-1');
    });

    it('does not take an auth token as a reset token, nor a reset token as an auth token', async () => {
      const user = await newUser();
      const guest = fixture.client().collection('users');
      expect(
        (await failure(guest.confirmPasswordReset(user.pb.authStore.token, 'x-password-1', 'x-password-1'))).status,
      ).toBe(400);
      const { key, collectionId } = await signingKeyOf(fixture, 'users', user.id, 'passwordResetToken');
      const reset = forgeToken(
        { alg: 'HS256' },
        { ...claimsFor(user.id, collectionId), type: 'passwordReset', email: user.email },
        key,
      );
      expectApiError(await refresh(reset), 401);
    });

    it('answers a reset request for an unknown email exactly as for a known one', async () => {
      const user = await newUser();
      const body = (email: string) => ({ method: 'POST', body: { email } });
      const known = await fixture.api('/api/collections/users/request-password-reset', body(user.email));
      const unknown = await fixture.api(
        '/api/collections/users/request-password-reset',
        body('nobody-here@example.com'),
      );
      expect({ status: unknown.status, text: unknown.text }).toEqual({ status: known.status, text: known.text });
      expect(known.status).toBe(204);
    });

    it('keeps two emails differing only in case apart, as the default exact email index does', async () => {
      const upper = await fixture
        .client()
        .collection('users')
        .create({
          email: `USERF-${shape}@example.com`,
          password: 'upper-password-1',
          passwordConfirm: 'upper-password-1',
        });
      const lower = await fixture
        .client()
        .collection('users')
        .create({
          email: `userf-${shape}@example.com`,
          password: 'lower-password-1',
          passwordConfirm: 'lower-password-1',
        });
      expect(lower.id).not.toBe(upper.id);
      // each address signs in to its own account, and only with its own password
      expect((await fixture.signIn(`USERF-${shape}@example.com`, 'upper-password-1')).authStore.record?.id).toBe(
        upper.id,
      );
      expect((await fixture.signIn(`userf-${shape}@example.com`, 'lower-password-1')).authStore.record?.id).toBe(
        lower.id,
      );
      expect((await failure(fixture.signIn(`userf-${shape}@example.com`, 'upper-password-1'))).status).toBe(400);
      // the reset mail for the lower-case address goes to it, not to the upper-case account
      const mark = mailMark(fixture.smtp);
      await fixture.client().collection('users').requestPasswordReset(`userf-${shape}@example.com`);
      const token = await tokenMailedTo(fixture.smtp, `userf-${shape}@example.com`, 'confirm-password-reset', mark);
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      expect(claims.id).toBe(lower.id);
    });
  });

  describe('20–21. OAuth2', () => {
    /** Signs in through the IdP as `accountId`, the way an app using authWithOAuth2Code does. */
    async function oauth2(accountId: string, createData?: Record<string, unknown>, redirectURL = idp.redirectURL) {
      const pb: PocketBase = fixture.client();
      const methods = await pb.collection('users').listAuthMethods();
      const provider = methods.oauth2.providers.find((candidate) => candidate.name === 'oidc');
      if (!provider) throw new Error('no oidc provider');
      const { code } = await idp.authorize(provider.authURL, accountId);
      return pb.collection('users').authWithOAuth2Code('oidc', code, provider.codeVerifier, redirectURL, createData);
    }

    it('resets the password of an unverified account an attacker pre-created with the victim’s email', async () => {
      idp.accounts.set('victim1', { email: `victim1-${shape}@example.com`, emailVerified: true });
      const squatter = await fixture
        .client()
        .collection('users')
        .create({
          email: `victim1-${shape}@example.com`,
          password: 'attacker-password',
          passwordConfirm: 'attacker-password',
        });
      const auth = await oauth2('victim1');
      expect(auth.record).toMatchObject({ id: squatter.id, verified: true });
      expect((await failure(fixture.signIn(`victim1-${shape}@example.com`, 'attacker-password'))).status).toBe(400);
    });

    it('drops an attacker’s OAuth2 link to an unverified account once the real owner signs in', async () => {
      idp.accounts.set('mallory', { email: `mallory-${shape}@example.com`, emailVerified: true });
      idp.accounts.set('victim2', { email: `victim2-${shape}@example.com`, emailVerified: true });
      const planted = await oauth2('mallory', { email: `victim2-${shape}@example.com` });
      // createData.email may choose the address, but never as a verified one
      expect(planted.record).toMatchObject({ email: `victim2-${shape}@example.com`, verified: false });
      const victim = await oauth2('victim2');
      expect(victim.meta?.isNew).toBe(false);
      expect(victim.record).toMatchObject({ id: planted.record.id, verified: true });
      const back = await oauth2('mallory');
      expect(back.record.id).not.toBe(planted.record.id);
    });

    it('does not link by an email the provider has not verified', async () => {
      idp.accounts.set('sneaky', { email: fixture.c.email, emailVerified: false });
      // PocketBase ignores an unverified provider email: a new account without it, or a refusal
      // where the email field is required; never C's account
      const outcome = await oauth2('sneaky').then(
        (auth) => auth.record.id,
        (error: unknown) => (error as { status?: number }).status,
      );
      expect(outcome === 400 || (typeof outcome === 'string' && outcome !== fixture.c.id)).toBe(true);
      expect(await fixture.root.collection('users').listExternalAuths(fixture.c.id)).toEqual([]);
    });

    it('refuses a redirect URL other than the one the code was issued for', async () => {
      idp.accounts.set('redirected', { email: `redirected-${shape}@example.com`, emailVerified: true });
      const error = await failure(oauth2('redirected', undefined, 'https://evil.example.com/callback'));
      expect(error.status).toBe(400);
      expect(error.response).toMatchObject({ status: 400, data: expect.any(Object) });
    });

    it('refuses a wrong PKCE verifier, and a code used twice', async () => {
      idp.accounts.set('pkce', { email: `pkce-${shape}@example.com`, emailVerified: true });
      const exchange = async (verifier: (real: string) => string) => {
        const pb = fixture.client();
        const provider = (await pb.collection('users').listAuthMethods()).oauth2.providers[0];
        const { code } = await idp.authorize(provider.authURL, 'pkce');
        const send = () =>
          pb.collection('users').authWithOAuth2Code('oidc', code, verifier(provider.codeVerifier), idp.redirectURL);
        return { send };
      };
      const wrong = await exchange((real) => `${real}x`);
      expect((await failure(wrong.send())).status).toBe(400);
      const once = await exchange((real) => real);
      expect((await once.send()).record.email).toBe(`pkce-${shape}@example.com`);
      expect((await failure(once.send())).status).toBe(400);
    });

    it('sends a redirect with an unknown state to the failure page', async () => {
      const answer = await fetch(`${fixture.running.baseUrl}/api/oauth2-redirect?state=not-a-client&code=abc`, {
        redirect: 'manual',
      });
      const location = answer.headers.get('location');
      if (location) expect(location).toContain('oauth2-redirect-failure');
      else expect(await answer.text()).toMatch(/^Failed to authenticate/);
    });
  });
});
