// The auth service's loopback OpenID Connect server, told to accept this shape's /api/oauth2-redirect.
import { type OidcServer, startOidcServer } from '@hivebase/auth/testing';
import { EventSource } from 'eventsource';
import type { RecordAuthResponse, RecordModel } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthFixture, failure, SHAPE_NAMES, startAuthFixture } from './support/auth-fixture';
import { enableOidcSignIn } from './support/oidc';

// The SDK's realtime client needs a global EventSource, which Node lacks.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

/**
 * PocketBase's all-in-one OAuth2 flow: the SDK opens a realtime stream, subscribes `@oauth2`, and
 * hands the provider URL (state = its realtime client id, redirect = `/api/oauth2-redirect`) to
 * `urlCallback`; the test plays the browser through the provider and back to the server, which
 * passes the code to the SDK over the stream; the SDK then signs in with it.
 */
describe.each(SHAPE_NAMES)('authWithOAuth2() popup flow through the SDK (%s)', (shape) => {
  let fixture: AuthFixture;
  let idp: OidcServer;
  let redirectURL: string;

  beforeAll(async () => {
    fixture = await startAuthFixture(shape);
    redirectURL = `${fixture.running.baseUrl}/api/oauth2-redirect`;
    idp = await startOidcServer({ redirectURLs: [redirectURL] });
    idp.accounts.set('carol', { email: 'carol@example.com', emailVerified: true, name: 'Carol' });
    await enableOidcSignIn(fixture.root, fixture.client(), idp, [{ name: 'nickname', type: 'text' }]);
  }, 180_000);
  afterAll(async () => {
    await fixture?.stop();
    await idp?.close();
  });

  /** The browser's part: through the provider as `accountId`, then back to the server from the same address. */
  async function browse(url: string, accountId: string): Promise<{ back: URL; location: string }> {
    const back = await idp.follow(url, accountId);
    expect(`${back.origin}${back.pathname}`).toBe(redirectURL);
    const response = await fetch(back, { redirect: 'manual' });
    return { back, location: response.headers.get('location') ?? `answered ${response.status}` };
  }

  it('signs a new user up, then the same user in, with the state being the realtime client id', async () => {
    const pb = fixture.client();
    const states: string[] = [];
    const signedUp: RecordAuthResponse<RecordModel> = await pb.collection('users').authWithOAuth2({
      provider: 'oidc',
      createData: { nickname: 'caz' },
      urlCallback: async (url) => {
        const provided = new URL(url);
        expect(provided.searchParams.get('redirect_uri')).toBe(redirectURL);
        const { back, location } = await browse(url, 'carol');
        states.push(back.searchParams.get('state') ?? '');
        expect(location).toContain('oauth2-redirect-success');
      },
    });
    expect(states).toHaveLength(1);
    expect(states[0]).toHaveLength(40);
    expect(signedUp.meta).toMatchObject({ id: 'carol', email: 'carol@example.com', isNew: true });
    expect(signedUp.record).toMatchObject({ email: 'carol@example.com', verified: true, nickname: 'caz' });
    expect(pb.authStore.record?.id).toBe(signedUp.record.id);
    // The SDK closed its realtime stream when the flow ended.
    expect(pb.realtime.isConnected).toBe(false);
    expect((await pb.collection('users').authRefresh()).record.id).toBe(signedUp.record.id);

    const again = await fixture
      .client()
      .collection('users')
      .authWithOAuth2({ provider: 'oidc', urlCallback: async (url) => void (await browse(url, 'carol')) });
    expect(again.meta?.isNew).toBe(false);
    expect(again.record.id).toBe(signedUp.record.id);
  });

  it('rejects when the provider sends the browser back with an error, and the server shows its failure page', async () => {
    const pb = fixture.client();
    const error = await failure(
      pb.collection('users').authWithOAuth2({
        provider: 'oidc',
        urlCallback: async (url) => {
          // As a provider does when the user declines: no code, an error, the same state.
          const state = new URL(url).searchParams.get('state') ?? '';
          const response = await fetch(`${redirectURL}?state=${state}&error=access_denied`, { redirect: 'manual' });
          expect(response.headers.get('location')).toContain('oauth2-redirect-failure');
        },
      }),
    );
    // The SDK wraps its own Error: the @oauth2 message carried the provider's error.
    expect(String((error.originalError as Error | undefined)?.message)).toContain('access_denied');
    expect(pb.authStore.isValid).toBe(false);
  });
});
