import { createHash } from 'node:crypto';
import { REALTIME_OAUTH2, type RealtimeOAuth2Event } from '@hivebase/contracts';
import { EVENT_BUS, type EventBus } from '@hivebase/platform';
import { CLIENT_DIRECTORY, type ClientDirectory, passwordMatches } from '@hivebase/runtime';
import type { AuthCollection, Collection, OAuth2Provider } from '@hivebase/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OidcServer, startOidcServer } from '../src/testing/oidc-server';
import { type AuthTestApp, createAuthRecord, startAuthApp } from './support/auth-app';

let test: AuthTestApp;
let idp: OidcServer;
let usersId: string;

/** The generic `oidc` provider pointed at the test server (overrides merged in). */
const oidcConfig = (overrides: Partial<OAuth2Provider> = {}): OAuth2Provider => ({
  name: 'oidc',
  clientId: idp.clientId,
  clientSecret: idp.clientSecret,
  authURL: idp.authURL,
  tokenURL: idp.tokenURL,
  userInfoURL: idp.userInfoURL,
  displayName: 'Test IdP',
  pkce: null,
  extra: null,
  ...overrides,
});

/** Changes a collection as a superuser would (through the schema registry). */
async function configure(name: string, change: (collection: AuthCollection) => Partial<AuthCollection>) {
  const before = test.registry.find(name) as AuthCollection;
  await test.registry.apply(() => [{ before, after: { ...before, ...change(before) } as Collection }]);
}

/** Runs `body` with the users collection changed, then puts it back. */
async function withUsers(change: (collection: AuthCollection) => Partial<AuthCollection>, body: () => Promise<void>) {
  const original = test.registry.find('users') as AuthCollection;
  await configure('users', change);
  try {
    await body();
  } finally {
    await configure('users', () => original);
  }
}

const authMethods = async (collection = 'users') =>
  (await test.app.inject({ method: 'GET', url: `/api/collections/${collection}/auth-methods` })).json();

/** What the SDK does: picks the provider from auth-methods and sends the browser through it. */
async function signInAt(accountId: string, provider = 'oidc') {
  const info = (await authMethods()).oauth2.providers.find(
    (candidate: { name: string }) => candidate.name === provider,
  );
  const { code, state } = await idp.authorize(info.authURL, accountId);
  expect(state).toBe(info.state);
  return { code, codeVerifier: info.codeVerifier as string };
}

const authWithOAuth2 = (
  body: Record<string, unknown>,
  options: { headers?: Record<string, string>; query?: string } = {},
) =>
  test.app.inject({
    method: 'POST',
    url: `/api/collections/users/auth-with-oauth2${options.query ?? ''}`,
    headers: options.headers ?? {},
    payload: body,
  });

/** The whole round trip for `accountId`, `extra` merged into the body. */
async function signIn(accountId: string, extra: Record<string, unknown> = {}, options = {}) {
  const { code, codeVerifier } = await signInAt(
    accountId,
    typeof extra.provider === 'string' ? extra.provider : 'oidc',
  );
  return authWithOAuth2({ provider: 'oidc', code, codeVerifier, redirectURL: idp.redirectURL, ...extra }, options);
}

const links = async (providerId: string) =>
  (
    await test.pool.query<{ recordRef: string; provider: string; collectionRef: string }>(
      `SELECT "collectionRef", "recordRef", provider FROM "_externalAuths" WHERE "providerId" = $1`,
      [providerId],
    )
  ).rows;

const userRow = async (id: string) =>
  (await test.pool.query<Record<string, unknown>>(`SELECT * FROM users WHERE id = $1`, [id])).rows[0];

beforeAll(async () => {
  idp = await startOidcServer();
  const account = (email: string, emailVerified = true) => ({ email, emailVerified });
  idp.accounts.set('alice', {
    ...account('alice@example.com'),
    name: 'Alice Liddell',
    username: 'alice',
    picture: 'https://img.example.com/alice.png',
  });
  for (const name of ['bob', 'carol', 'dave', 'erin', 'frank-alt', 'gina', 'hank', 'ivy']) {
    idp.accounts.set(name, account(`${name}@example.com`));
  }
  // Claims an address it has not proved: the victim's.
  idp.accounts.set('mallory', account('victim@example.com', false));
  test = await startAuthApp();
  usersId = (test.registry.find('users') as AuthCollection).id;
  await configure('users', (users) => ({
    oauth2: { ...users.oauth2, enabled: true, providers: [oidcConfig()] },
  }));
});
afterAll(async () => {
  await test?.close();
  await idp?.close();
});

describe('auth-methods', () => {
  it('lists each provider with a fresh state, PKCE pair and an authorization URL ending in redirect_uri=', async () => {
    const { oauth2, authProviders } = await authMethods();
    expect(oauth2.enabled).toBe(true);
    expect(oauth2.providers).toHaveLength(1);
    const [info] = oauth2.providers;
    expect(Object.keys(info)).toEqual([
      'name',
      'displayName',
      'state',
      'authURL',
      'authUrl',
      'codeVerifier',
      'codeChallenge',
      'codeChallengeMethod',
    ]);
    expect(info).toMatchObject({ name: 'oidc', displayName: 'Test IdP', codeChallengeMethod: 'S256' });
    expect(info.state).toMatch(/^[a-zA-Z0-9]{30}$/);
    expect(info.codeVerifier).toMatch(/^[a-zA-Z0-9]{43}$/);
    expect(info.codeChallenge).toBe(createHash('sha256').update(info.codeVerifier).digest('base64url'));
    expect(info.authUrl).toBe(info.authURL);
    expect(info.authURL.endsWith('&redirect_uri=')).toBe(true);
    const url = new URL(info.authURL);
    expect(`${url.origin}${url.pathname}`).toBe(idp.authURL);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: idp.clientId,
      state: info.state,
      scope: 'openid email profile',
      code_challenge: info.codeChallenge,
      code_challenge_method: 'S256',
    });
    expect(authProviders).toEqual(oauth2.providers);
    expect((await authMethods()).oauth2.providers[0].state).not.toBe(info.state);
  });

  it('leaves out providers that cannot be set up and honours pkce: false', async () => {
    await withUsers(
      (users) => ({
        oauth2: {
          ...users.oauth2,
          providers: [
            oidcConfig({ pkce: false }),
            oidcConfig({ name: 'nope' }),
            oidcConfig({ name: 'oidc2', authURL: '' }),
            oidcConfig({ name: 'apple', displayName: '', authURL: '', tokenURL: '', userInfoURL: '' }),
          ],
        },
      }),
      async () => {
        const providers = (await authMethods()).oauth2.providers;
        expect(providers.map((provider: { name: string }) => provider.name)).toEqual(['oidc', 'apple']);
        expect(providers[0]).toMatchObject({ codeVerifier: '', codeChallenge: '', codeChallengeMethod: '' });
        expect(new URL(providers[0].authURL).searchParams.has('code_challenge')).toBe(false);
        expect(providers[1].displayName).toBe('Apple');
        expect(new URL(providers[1].authURL).searchParams.get('response_mode')).toBe('form_post');
        expect(providers[1].authURL.startsWith('https://appleid.apple.com/auth/authorize?')).toBe(true);
      },
    );
  });
});

describe('auth-with-oauth2', () => {
  it('signs a new user up, links the provider account, and answers PocketBase meta', async () => {
    const response = await signIn('alice');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body)).toEqual(['meta', 'record', 'token']);
    expect(Object.keys(body.meta)).toEqual([
      'accessToken',
      'avatarURL',
      'avatarUrl',
      'email',
      'expiry',
      'id',
      'isNew',
      'name',
      'rawUser',
      'refreshToken',
      'username',
    ]);
    expect(body.meta).toMatchObject({
      id: 'alice',
      name: 'Alice Liddell',
      username: 'alice',
      email: 'alice@example.com',
      avatarURL: 'https://img.example.com/alice.png',
      avatarUrl: 'https://img.example.com/alice.png',
      refreshToken: '',
      isNew: true,
    });
    expect(body.meta.accessToken).not.toBe('');
    expect(body.meta.expiry).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(body.meta.rawUser).toMatchObject({ sub: 'alice', email_verified: true });
    expect(Object.keys(body.meta.rawUser)).toEqual([...Object.keys(body.meta.rawUser)].sort());
    // Mapped name; the avatar (a file field) is not downloaded yet.
    expect(body.record).toMatchObject({
      email: 'alice@example.com',
      verified: true,
      name: 'Alice Liddell',
      avatar: '',
      collectionName: 'users',
    });
    expect(body.record).not.toHaveProperty('password');
    expect(await links('alice')).toEqual([{ collectionRef: usersId, recordRef: body.record.id, provider: 'oidc' }]);
  });

  it('finds the linked record the next time (isNew false)', async () => {
    const first = (await test.pool.query(`SELECT "recordRef" FROM "_externalAuths" WHERE "providerId" = 'alice'`))
      .rows[0];
    const response = await signIn('alice');
    expect(response.statusCode).toBe(200);
    expect(response.json().meta.isNew).toBe(false);
    expect(response.json().record.id).toBe(first.recordRef);
    expect(await links('alice')).toHaveLength(1);
  });

  it('accepts the legacy redirectUrl key', async () => {
    const { code, codeVerifier } = await signInAt('alice');
    const response = await authWithOAuth2({ provider: 'oidc', code, codeVerifier, redirectUrl: idp.redirectURL });
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['missing', undefined],
    ['wrong', 'x'.repeat(43)],
  ])('refuses a %s PKCE verifier (400) and signs nobody up', async (_case, codeVerifier) => {
    const { code } = await signInAt('bob');
    const response = await authWithOAuth2({ provider: 'oidc', code, codeVerifier, redirectURL: idp.redirectURL });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ data: {}, message: 'Failed to fetch OAuth2 token.', status: 400 });
    expect(await links('bob')).toEqual([]);
  });

  it('refuses a code used once already', async () => {
    const { code, codeVerifier } = await signInAt('alice');
    const body = { provider: 'oidc', code, codeVerifier, redirectURL: idp.redirectURL };
    expect((await authWithOAuth2(body)).statusCode).toBe(200);
    expect((await authWithOAuth2(body)).json().message).toBe('Failed to fetch OAuth2 token.');
  });

  it.each([
    [{}, ['code', 'provider', 'redirectURL']],
    [{ provider: 'oidc' }, ['code', 'redirectURL']],
    [{ provider: 'google', code: 'x', redirectURL: 'https://a.b' }, ['provider']],
    [{ provider: 'p'.repeat(101), code: 'x', redirectURL: 'https://a.b' }, ['provider']],
  ])('validates %j', async (body, invalid) => {
    const response = await authWithOAuth2(body);
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe('An error occurred while loading the submitted data.');
    expect(Object.keys(response.json().data)).toEqual(invalid);
  });

  it('names an unknown provider in the error', async () => {
    const response = await authWithOAuth2({ provider: 'google', code: 'x', redirectURL: 'https://a.b' });
    expect(response.json().data.provider).toEqual({
      code: 'validation_invalid_provider',
      message: 'Provider with name google is missing or is not enabled.',
      params: { name: 'google' },
    });
  });

  it('refuses wrongly typed values like a body that does not load', async () => {
    const response = await authWithOAuth2({ provider: 'oidc', code: 1, redirectURL: 'https://a.b', createData: [] });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      data: {},
      message: 'An error occurred while loading the submitted data.',
      status: 400,
    });
  });

  it('answers 403 when the collection has OAuth2 disabled', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/collections/_superusers/auth-with-oauth2',
      payload: { provider: 'oidc', code: 'x', redirectURL: 'https://a.b' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      data: {},
      message: 'The collection is not configured to allow OAuth2 authentication.',
      status: 403,
    });
  });

  it('links an existing record by the verified email, marks it verified and replaces its password', async () => {
    const bob = await createAuthRecord(test, 'users', { email: 'bob@example.com', password: 'password123' });
    const response = await signIn('bob');
    expect(response.statusCode).toBe(200);
    expect(response.json().meta.isNew).toBe(false);
    expect(response.json().record).toMatchObject({ id: bob.id, verified: true });
    // Someone may have registered the address before its owner: their password must stop working.
    expect(await passwordMatches('password123', String((await userRow(bob.id)).password))).toBe(false);
    expect(await links('bob')).toEqual([{ collectionRef: usersId, recordRef: bob.id, provider: 'oidc' }]);
    // The old sessions end with the old tokenKey.
    const refresh = await test.app.inject({
      method: 'POST',
      url: '/api/collections/users/auth-refresh',
      headers: { authorization: bob.token },
    });
    expect(refresh.statusCode).toBe(401);
  });

  it('keeps the password of a verified record it links by email', async () => {
    const carol = await createAuthRecord(test, 'users', { email: 'carol@example.com', verified: true });
    const response = await signIn('carol');
    expect(response.json().record.id).toBe(carol.id);
    expect(await passwordMatches('password123', String((await userRow(carol.id)).password))).toBe(true);
  });

  describe('an email the provider has not verified', () => {
    it('never links the record that has it (PocketBase signs up a record without email instead)', async () => {
      const victim = await createAuthRecord(test, 'users', { email: 'victim@example.com', verified: true });
      const before = await userRow(victim.id);
      // The users collection requires an email, so that sign-up fails.
      const response = await signIn('mallory');
      expect(response.statusCode).toBe(400);
      expect(response.json().data.email.code).toBe('validation_required');
      expect(await links('mallory')).toEqual([]);
      expect(await userRow(victim.id)).toEqual(before);
    });

    it('signs up a separate record when the email is optional', async () => {
      const victim = await createAuthRecord(test, 'users', { email: 'victim2@example.com' });
      idp.accounts.set('mallory2', { email: 'victim2@example.com', emailVerified: false });
      await withUsers(
        (users) => ({
          fields: users.fields.map((field) => (field.name === 'email' ? { ...field, required: false } : field)),
        }),
        async () => {
          const response = await signIn('mallory2');
          expect(response.statusCode).toBe(200);
          const { meta, record } = response.json();
          expect(meta).toMatchObject({ email: '', isNew: true });
          expect(record.id).not.toBe(victim.id);
          expect(record.email).toBe('');
          expect(await links('mallory2')).toEqual([{ collectionRef: usersId, recordRef: record.id, provider: 'oidc' }]);
        },
      );
    });
  });

  describe('createData', () => {
    it('fills the new record, explicit values beating mapped ones', async () => {
      const response = await signIn('dave', { createData: { name: 'Chosen', emailVisibility: true } });
      expect(response.statusCode).toBe(200);
      expect(response.json().record).toMatchObject({
        email: 'dave@example.com',
        name: 'Chosen',
        emailVisibility: true,
        verified: true,
      });
    });

    it('takes a submitted email over the provider one, unverified', async () => {
      const response = await signIn('gina', { createData: { email: 'gina.other@example.com' } });
      expect(response.statusCode).toBe(200);
      expect(response.json().record).toMatchObject({ email: 'gina.other@example.com', verified: false });
      expect(response.json().meta.email).toBe('gina@example.com');
    });

    it("cannot pre-hijack an address: the owner's sign-in drops the attacker's link to the unverified record", async () => {
      // ursula's provider account signs up claiming owner3's address (unverified), linked to ursula.
      idp.accounts.set('owner3', { email: 'owner3@example.com', emailVerified: true });
      idp.accounts.set('ursula', { email: 'ursula@example.com', emailVerified: true });
      const planted = await signIn('ursula', { createData: { email: 'owner3@example.com' } });
      expect(planted.statusCode).toBe(200);
      const recordId = planted.json().record.id;
      expect(planted.json().record).toMatchObject({ email: 'owner3@example.com', verified: false });
      expect((await links('ursula')).map((link) => link.recordRef)).toEqual([recordId]);

      // The real owner signs in with the provider that vouches for the address.
      const owner = await signIn('owner3');
      expect(owner.statusCode).toBe(200);
      expect(owner.json().record).toMatchObject({ id: recordId, verified: true });
      expect(await links('ursula')).toEqual([]);
      expect((await links('owner3')).map((link) => link.recordRef)).toEqual([recordId]);
      // ursula's next sign-in is no longer the owner's account.
      const again = await signIn('ursula');
      expect(again.json().record?.id).not.toBe(recordId);
    });

    it('is validated like a record create (400 with field errors, nothing saved)', async () => {
      const response = await signIn('hank', { createData: { email: 'invalid', name: 'n'.repeat(300) } });
      expect(response.statusCode).toBe(400);
      expect(Object.keys(response.json().data).sort()).toEqual(['email', 'name']);
      expect(response.json().data.email.code).toBe('validation_is_email');
      expect(await links('hank')).toEqual([]);
    });

    it("goes through the collection's createRule, with @request.context = oauth2", async () => {
      await withUsers(
        () => ({ createRule: null }),
        async () => {
          const response = await signIn('hank');
          expect(response.statusCode).toBe(403);
          expect(await links('hank')).toEqual([]);
        },
      );
      await withUsers(
        () => ({ createRule: '@request.context = "default"' }),
        async () => expect((await signIn('hank')).statusCode).toBe(400),
      );
      await withUsers(
        () => ({ createRule: '@request.context = "oauth2" && @request.body.name = "Hank"' }),
        async () => {
          const response = await signIn('hank', { createData: { name: 'Hank' } });
          expect(response.statusCode).toBe(200);
          expect(await links('hank')).toHaveLength(1);
        },
      );
    });
  });

  it('links the provider account to the signed-in record of the collection', async () => {
    const frank = await createAuthRecord(test, 'users', { email: 'frank@example.com', verified: true });
    const response = await signIn('frank-alt', {}, { headers: { authorization: frank.token } });
    expect(response.statusCode).toBe(200);
    expect(response.json().meta).toMatchObject({ isNew: false, email: 'frank-alt@example.com' });
    expect(response.json().record).toMatchObject({ id: frank.id, email: 'frank@example.com' });
    expect(await links('frank-alt')).toEqual([{ collectionRef: usersId, recordRef: frank.id, provider: 'oidc' }]);
  });

  it("applies the collection's authRule after linking", async () => {
    await withUsers(
      () => ({ authRule: 'name = "nobody"' }),
      async () => {
        const response = await signIn('ivy');
        expect(response.statusCode).toBe(403);
        expect(response.json().message).toBe(
          "The request doesn't satisfy the collection requirements to authenticate.",
        );
      },
    );
    expect(await links('ivy')).toHaveLength(1);
  });

  it('counts as a method of its own for MFA', async () => {
    const erin = await createAuthRecord(test, 'users', { email: 'erin@example.com', verified: true });
    await withUsers(
      (users) => ({ mfa: { ...users.mfa, enabled: true } }),
      async () => {
        const first = await test.app.inject({
          method: 'POST',
          url: '/api/collections/users/auth-with-password',
          payload: { identity: 'erin@example.com', password: 'password123' },
        });
        expect(first.statusCode).toBe(401);
        const { mfaId } = first.json();
        const response = await signIn('erin', {}, { query: `?mfaId=${mfaId}` });
        expect(response.statusCode).toBe(200);
        expect(response.json().record.id).toBe(erin.id);
      },
    );
  });

  describe('a provider without a userinfo URL', () => {
    it("reads the user from the id_token, checked against the provider's keys and issuer", async () => {
      await withUsers(
        (users) => ({
          oauth2: {
            ...users.oauth2,
            providers: [
              oidcConfig(),
              oidcConfig({
                name: 'oidc2',
                userInfoURL: '',
                extra: { jwksURL: idp.jwksURL, issuers: [idp.issuer] },
              }),
            ],
          },
        }),
        async () => {
          const response = await signIn('alice', { provider: 'oidc2' });
          expect(response.statusCode).toBe(200);
          expect(response.json().meta).toMatchObject({ id: 'alice', email: 'alice@example.com', isNew: false });
          expect(response.json().meta.rawUser).toMatchObject({ iss: idp.issuer, aud: idp.clientId });
        },
      );
    });

    it('refuses an id_token from an issuer it does not trust', async () => {
      await withUsers(
        (users) => ({
          oauth2: {
            ...users.oauth2,
            providers: [oidcConfig({ userInfoURL: '', extra: { issuers: ['https://elsewhere.example.com'] } })],
          },
        }),
        async () => {
          const response = await signIn('alice');
          expect(response.statusCode).toBe(400);
          expect(response.json().message).toBe('Failed to fetch OAuth2 user.');
        },
      );
    });
  });
});

describe('/api/oauth2-redirect', () => {
  /** A realtime client as the realtime service records it: `waiting` on `@oauth2` or not. */
  async function realtimeClient(id: string, ip: string, waiting: boolean) {
    const directory = test.app.get<ClientDirectory>(CLIENT_DIRECTORY);
    await directory.register(id, ip, 60_000);
    await directory.setOAuth2(id, waiting);
  }
  beforeAll(async () => {
    await realtimeClient('client123', '127.0.0.1', true);
    await realtimeClient('client456', '127.0.0.1', true);
    await realtimeClient('not-waiting', '127.0.0.1', false);
    await realtimeClient('elsewhere', '192.0.2.7', true);
  });

  /** The next `realtime.oauth2` events, as the realtime service would receive them. */
  async function captured(run: () => Promise<void>): Promise<RealtimeOAuth2Event[]> {
    const events: RealtimeOAuth2Event[] = [];
    const bus = test.app.get<EventBus>(EVENT_BUS);
    const unsubscribe = await bus.subscribe<RealtimeOAuth2Event>(REALTIME_OAUTH2, (event) => {
      events.push(event);
    });
    try {
      await run();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await unsubscribe();
    }
    return events;
  }

  it.each([
    ['?state=client123&code=abc', '../_/#/auth/oauth2-redirect-success', { code: 'abc', error: '' }],
    [
      '?state=client123&error=access_denied',
      '../_/#/auth/oauth2-redirect-failure',
      { code: '', error: 'access_denied' },
    ],
    ['?state=client123', '../_/#/auth/oauth2-redirect-failure', { code: '', error: '' }],
  ])('GET %s publishes to the realtime client and redirects (307)', async (query, location, sent) => {
    let response: Awaited<ReturnType<typeof test.app.inject>> | undefined;
    const events = await captured(async () => {
      response = await test.app.inject({ method: 'GET', url: `/api/oauth2-redirect${query}` });
    });
    expect(response?.statusCode).toBe(307);
    expect(response?.headers.location).toBe(location);
    expect(events).toEqual([{ clientId: 'client123', state: 'client123', ...sent }]);
  });

  it('takes a form post (Apple) and redirects with 303', async () => {
    let response: Awaited<ReturnType<typeof test.app.inject>> | undefined;
    const events = await captured(async () => {
      response = await test.app.inject({
        method: 'POST',
        url: '/api/oauth2-redirect',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'state=client456&code=xyz&user=%7B%7D',
      });
    });
    expect(response?.statusCode).toBe(303);
    expect(response?.headers.location).toBe('../_/#/auth/oauth2-redirect-success');
    expect(events).toEqual([{ clientId: 'client456', state: 'client456', code: 'xyz', error: '' }]);
  });

  it.each([
    ['an unknown client', 'not-a-client'],
    ['a client not waiting on @oauth2', 'not-waiting'],
    ['a client opened from another address', 'elsewhere'],
  ])('sends nothing for %s and redirects to the failure page', async (_case, state) => {
    let response: Awaited<ReturnType<typeof test.app.inject>> | undefined;
    const events = await captured(async () => {
      response = await test.app.inject({ method: 'GET', url: `/api/oauth2-redirect?state=${state}&code=abc` });
    });
    expect(response?.headers.location).toBe('../_/#/auth/oauth2-redirect-failure');
    expect(events).toEqual([]);
  });

  it('sends nothing without a state', async () => {
    let response: Awaited<ReturnType<typeof test.app.inject>> | undefined;
    const events = await captured(async () => {
      response = await test.app.inject({ method: 'GET', url: '/api/oauth2-redirect?code=abc' });
    });
    expect(response?.headers.location).toBe('../_/#/auth/oauth2-redirect-failure');
    expect(events).toEqual([]);
  });
});
