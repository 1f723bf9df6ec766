// The auth service's loopback OpenID Connect server (oidc-provider), self-contained: reused as is.
import { type OidcServer, startOidcServer } from '@hivebase/auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthFixture, SHAPE_NAMES, startAuthFixture } from './support/auth-fixture';
import { enableOidcSignIn } from './support/oidc';

describe.each(SHAPE_NAMES)('OAuth2 through the SDK (%s)', (shape) => {
  let fixture: AuthFixture;
  let idp: OidcServer;

  beforeAll(async () => {
    idp = await startOidcServer();
    idp.accounts.set('alice', {
      email: 'alice@example.com',
      emailVerified: true,
      name: 'Alice Liddell',
      username: 'alice',
    });
    idp.accounts.set('bob', { email: 'bob@example.com', emailVerified: true });
    fixture = await startAuthFixture(shape);

    // As an app's admin would: the generic OIDC provider, and a field for the sign-up form's extra data.
    await enableOidcSignIn(fixture.root, fixture.client(), idp, [{ name: 'nickname', type: 'text' }]);
  }, 180_000);
  afterAll(async () => {
    await fixture?.stop();
    await idp?.close();
  });

  /** What an app does: takes the provider from auth-methods and sends the browser through it as `accountId`. */
  async function authorizeAs(accountId: string): Promise<{ code: string; codeVerifier: string }> {
    const methods = await fixture.client().collection('users').listAuthMethods();
    const provider = methods.oauth2.providers.find((candidate) => candidate.name === 'oidc');
    if (!provider) throw new Error('no oidc provider in auth-methods');
    const { code, state } = await idp.authorize(provider.authURL, accountId);
    expect(state).toBe(provider.state);
    return { code, codeVerifier: provider.codeVerifier };
  }

  it('lists the provider with a PKCE pair and an authorization URL awaiting the redirect URL', async () => {
    const { oauth2 } = await fixture.client().collection('users').listAuthMethods();
    expect(oauth2.enabled).toBe(true);
    expect(oauth2.providers[0]).toMatchObject({ name: 'oidc', displayName: 'Test IdP', codeChallengeMethod: 'S256' });
    expect(oauth2.providers[0].authURL.startsWith(`${idp.authURL}?`)).toBe(true);
    expect(oauth2.providers[0].authURL.endsWith('redirect_uri=')).toBe(true);
  });

  it('signs a new user up with authWithOAuth2Code, then signs the same user in', async () => {
    const first = await authorizeAs('alice');
    const pb = fixture.client();
    const signedUp = await pb
      .collection('users')
      .authWithOAuth2Code('oidc', first.code, first.codeVerifier, idp.redirectURL, { nickname: 'ally' });
    expect(signedUp.meta).toMatchObject({
      id: 'alice',
      email: 'alice@example.com',
      name: 'Alice Liddell',
      isNew: true,
    });
    expect(signedUp.record).toMatchObject({
      email: 'alice@example.com',
      verified: true,
      name: 'Alice Liddell',
      nickname: 'ally',
    });
    expect(pb.authStore.record?.id).toBe(signedUp.record.id);
    // An OAuth2 sign-in gives an ordinary, refreshable session.
    expect((await pb.collection('users').authRefresh()).record.id).toBe(signedUp.record.id);
    const links = await pb.collection('users').listExternalAuths(signedUp.record.id);
    expect(links).toEqual([expect.objectContaining({ provider: 'oidc', providerId: 'alice' })]);

    const second = await authorizeAs('alice');
    const again = await fixture
      .client()
      .collection('users')
      .authWithOAuth2Code('oidc', second.code, second.codeVerifier, idp.redirectURL);
    expect(again.meta?.isNew).toBe(false);
    expect(again.record.id).toBe(signedUp.record.id);
  });

  it('links an existing password account by its verified email', async () => {
    const existing = await fixture
      .client()
      .collection('users')
      .create({ email: 'bob@example.com', password: 'bob-password', passwordConfirm: 'bob-password' });
    const { code, codeVerifier } = await authorizeAs('bob');
    const auth = await fixture
      .client()
      .collection('users')
      .authWithOAuth2Code('oidc', code, codeVerifier, idp.redirectURL);
    expect(auth.meta?.isNew).toBe(false);
    expect(auth.record).toMatchObject({ id: existing.id, email: 'bob@example.com', verified: true });
  });
});
