import { generateKeyPairSync, sign } from 'node:crypto';
import { OAUTH2_PROVIDERS, type OAuth2Provider } from '@hivebase/schema';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exchangeCode, type ProviderTokens } from '../src/oauth2/oauth2-http';
import { OAUTH2_PROVIDER_NAMES, resolveProvider, truthy } from '../src/oauth2/oauth2-presets';

const config = (name: string, overrides: Partial<OAuth2Provider> = {}): OAuth2Provider => ({
  name,
  clientId: 'client',
  clientSecret: 'secret',
  authURL: '',
  tokenURL: '',
  userInfoURL: '',
  displayName: '',
  pkce: null,
  extra: null,
  ...overrides,
});

const tokens = (overrides: Partial<ProviderTokens> = {}): ProviderTokens => ({
  accessToken: 'access',
  refreshToken: '',
  expiry: '',
  idToken: '',
  data: {},
  ...overrides,
});

/** Answers fetches by URL (JSON bodies), recording the requests. */
function stubFetch(answers: Record<string, { status?: number; json: unknown }>) {
  const requests: Request[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    requests.push(request);
    const answer = answers[request.url];
    if (!answer) return new Response('not found', { status: 404 });
    return Response.json(answer.json, { status: answer.status ?? 200 });
  });
  return requests;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('resolveProvider', () => {
  it.each([
    [
      'google',
      'Google',
      'https://accounts.google.com/o/oauth2/v2/auth',
      'https://www.googleapis.com/oauth2/v3/userinfo',
    ],
    ['github', 'GitHub', 'https://github.com/login/oauth/authorize', 'https://api.github.com/user'],
    ['gitlab', 'GitLab', 'https://gitlab.com/oauth/authorize', 'https://gitlab.com/api/v4/user'],
    [
      'microsoft',
      'Microsoft',
      'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
      'https://graph.microsoft.com/v1.0/me',
    ],
    ['apple', 'Apple', 'https://appleid.apple.com/auth/authorize', ''],
    ['discord', 'Discord', 'https://discord.com/api/oauth2/authorize', 'https://discord.com/api/users/@me'],
  ])('%s supplies its URLs, name and PKCE flag', (name, displayName, authURL, userInfoURL) => {
    const provider = resolveProvider(config(name));
    expect(provider).toMatchObject({ name, displayName, authURL, userInfoURL, pkce: true, clientId: 'client' });
    expect(provider.tokenURL).toMatch(/^https:\/\//);
    expect(provider.scopes.length).toBeGreaterThan(0);
  });

  it("lets the collection's config override URLs, display name, PKCE and extra", () => {
    const provider = resolveProvider(
      config('microsoft', {
        authURL: 'https://login.microsoftonline.com/tenant/oauth2/v2.0/authorize',
        displayName: 'Contoso',
        pkce: false,
        extra: { a: 1 },
      }),
    );
    expect(provider).toMatchObject({
      authURL: 'https://login.microsoftonline.com/tenant/oauth2/v2.0/authorize',
      tokenURL: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      displayName: 'Contoso',
      pkce: false,
      extra: { a: 1 },
    });
  });

  it('has three generic OIDC slots whose URLs come from the config', () => {
    for (const name of ['oidc', 'oidc2', 'oidc3']) {
      const provider = resolveProvider(config(name, { authURL: 'https://idp.example.com/auth' }));
      expect(provider).toMatchObject({ name, displayName: 'OIDC', authURL: 'https://idp.example.com/auth' });
      expect(provider.scopes).toEqual(['openid', 'email', 'profile']);
    }
  });

  it('refuses a name PocketBase does not know, custom URLs or not', () => {
    expect(() => resolveProvider(config('custom', { authURL: 'https://idp.example.com/auth' }))).toThrow(
      'missing provider custom',
    );
    expect(() => resolveProvider(config('toString'))).toThrow();
    expect(OAUTH2_PROVIDER_NAMES).toEqual(
      expect.arrayContaining(['google', 'github', 'gitlab', 'microsoft', 'apple', 'discord', 'oidc', 'oidc2', 'oidc3']),
    );
  });

  it('asks Apple to post its answer', () => {
    expect(resolveProvider(config('apple')).authParams).toEqual({ response_mode: 'form_post' });
  });

  it("builds every provider of the shared catalogue from the catalogue's data", () => {
    expect(OAUTH2_PROVIDER_NAMES).toEqual(OAUTH2_PROVIDERS.map((preset) => preset.name));
    for (const preset of OAUTH2_PROVIDERS) {
      const provider = resolveProvider(config(preset.name));
      expect(provider).toMatchObject({
        name: preset.name,
        displayName: preset.displayName,
        authURL: preset.authURL,
        tokenURL: preset.tokenURL,
        userInfoURL: preset.userInfoURL,
        pkce: preset.pkce,
        scopes: [...preset.scopes],
        authParams: { ...preset.authParams },
      });
      expect(provider.fetchUser).toBeTypeOf('function');
    }
  });

  it('hands out copies: changing one resolved provider leaves the catalogue alone', () => {
    const first = resolveProvider(config('apple'));
    first.scopes.push('extra');
    first.authParams.prompt = 'consent';
    expect(resolveProvider(config('apple'))).toMatchObject({
      scopes: ['name', 'email'],
      authParams: { response_mode: 'form_post' },
    });
  });
});

describe('user mapping', () => {
  it('google: OIDC claims, the email only when verified, no username', async () => {
    const google = resolveProvider(config('google'));
    const raw = { sub: '1', name: 'G', picture: 'p', email: 'g@example.com', email_verified: false };
    stubFetch({ [google.userInfoURL]: { json: raw } });
    expect(await google.fetchUser(google, tokens())).toEqual({
      id: '1',
      name: 'G',
      username: '',
      email: '',
      avatarURL: 'p',
      rawUser: raw,
    });
  });

  it('github: numeric id as text, the private primary email from the emails API', async () => {
    const github = resolveProvider(config('github'));
    const requests = stubFetch({
      [github.userInfoURL]: { json: { id: 42, login: 'octo', name: 'Octo', email: null, avatar_url: 'a' } },
      [`${github.userInfoURL}/emails`]: {
        json: [
          { email: 'old@example.com', verified: true, primary: false },
          { email: 'octo@example.com', verified: true, primary: true },
        ],
      },
    });
    expect(await github.fetchUser(github, tokens())).toMatchObject({
      id: '42',
      username: 'octo',
      email: 'octo@example.com',
    });
    expect(requests[0].headers.get('authorization')).toBe('Bearer access');
  });

  it('github: no email when the token may not read emails', async () => {
    const github = resolveProvider(config('github'));
    stubFetch({
      [github.userInfoURL]: { json: { id: 42, login: 'octo' } },
      [`${github.userInfoURL}/emails`]: { status: 403, json: { message: 'forbidden' } },
    });
    expect((await github.fetchUser(github, tokens())).email).toBe('');
  });

  it('discord: name with discriminator, CDN avatar, verified email only', async () => {
    const discord = resolveProvider(config('discord'));
    stubFetch({
      [discord.userInfoURL]: {
        json: {
          id: '7',
          username: 'nel',
          discriminator: '0001',
          avatar: 'hash',
          email: 'n@example.com',
          verified: false,
        },
      },
    });
    expect(await discord.fetchUser(discord, tokens())).toMatchObject({
      id: '7',
      name: 'nel#0001',
      username: 'nel',
      email: '',
      avatarURL: 'https://cdn.discordapp.com/avatars/7/hash.png',
    });
  });

  it('microsoft and gitlab read their own field names', async () => {
    const microsoft = resolveProvider(config('microsoft'));
    const gitlab = resolveProvider(config('gitlab'));
    stubFetch({
      [microsoft.userInfoURL]: { json: { id: 'm1', displayName: 'Mo', mail: 'mo@example.com' } },
      [gitlab.userInfoURL]: { json: { id: 9, name: 'Gi', username: 'gi', email: 'gi@example.com', avatar_url: 'av' } },
    });
    expect(await microsoft.fetchUser(microsoft, tokens())).toMatchObject({
      id: 'm1',
      name: 'Mo',
      email: 'mo@example.com',
    });
    expect(await gitlab.fetchUser(gitlab, tokens())).toMatchObject({ id: '9', username: 'gi', avatarURL: 'av' });
  });

  it('fails on an error answer from the userinfo endpoint', async () => {
    const google = resolveProvider(config('google'));
    stubFetch({ [google.userInfoURL]: { status: 401, json: { error: 'invalid_token' } } });
    await expect(google.fetchUser(google, tokens())).rejects.toThrow('(401)');
  });

  describe('apple (a signed id_token, no userinfo endpoint)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256' };
    const now = Math.floor(Date.now() / 1000);
    const idToken = (claims: Record<string, unknown>) => {
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const input = `${part({ alg: 'RS256', kid: 'k1' })}.${part(claims)}`;
      return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    };
    const claims = {
      iss: 'https://appleid.apple.com',
      aud: 'client',
      sub: 'apple-1',
      iat: now,
      exp: now + 600,
      email: 'a@example.com',
      email_verified: 'true',
    };

    it('checks the signature and claims; the name comes beside the tokens the first time', async () => {
      const apple = resolveProvider(config('apple'));
      stubFetch({ 'https://appleid.apple.com/auth/keys': { json: { keys: [jwk] } } });
      const user = await apple.fetchUser(
        apple,
        tokens({
          idToken: idToken(claims),
          data: { user: JSON.stringify({ name: { firstName: 'Ada', lastName: 'L' } }) },
        }),
      );
      expect(user).toMatchObject({ id: 'apple-1', name: 'Ada L', email: 'a@example.com' });
    });

    it.each([
      ['another audience', { ...claims, aud: 'other' }],
      ['another issuer', { ...claims, iss: 'https://evil.example.com' }],
      ['an expired token', { ...claims, exp: now - 3600 }],
      ['no expiry', { ...claims, exp: undefined }],
    ])('refuses %s', async (_case, bad) => {
      const apple = resolveProvider(config('apple'));
      stubFetch({ 'https://appleid.apple.com/auth/keys': { json: { keys: [jwk] } } });
      await expect(apple.fetchUser(apple, tokens({ idToken: idToken(bad) }))).rejects.toThrow();
    });

    it('refuses a forged signature', async () => {
      const apple = resolveProvider(config('apple'));
      stubFetch({ 'https://appleid.apple.com/auth/keys': { json: { keys: [jwk] } } });
      const [header, , signature] = idToken(claims).split('.');
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${signature}`;
      await expect(apple.fetchUser(apple, tokens({ idToken: forged }))).rejects.toThrow('signature');
    });
  });
});

describe('exchangeCode', () => {
  const endpoint = { clientId: 'client', clientSecret: 'secret', tokenURL: 'https://idp.example.com/token' };

  it('reports the tokens as PocketBase meta wants them', async () => {
    const requests = stubFetch({
      [endpoint.tokenURL]: { json: { access_token: 'a', refresh_token: 'r', expires_in: 3600, token_type: 'Bearer' } },
    });
    const result = await exchangeCode(endpoint, 'code', 'verifier', 'https://app/cb');
    expect(result).toMatchObject({ accessToken: 'a', refreshToken: 'r', idToken: '' });
    expect(Date.parse(result.expiry.replace(' ', 'T')) - Date.now()).toBeGreaterThan(3500_000);
    const body = new URLSearchParams(await requests[0].text());
    expect(Object.fromEntries(body)).toEqual({
      grant_type: 'authorization_code',
      code: 'code',
      redirect_uri: 'https://app/cb',
      code_verifier: 'verifier',
    });
    expect(requests[0].headers.get('authorization')).toBe(`Basic ${Buffer.from('client:secret').toString('base64')}`);
  });

  it('retries with the credentials in the body when Basic is refused (as Go oauth2 auto-detects)', async () => {
    const requests: Request[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      requests.push(request);
      return request.headers.has('authorization')
        ? Response.json({ error: 'invalid_client' }, { status: 401 })
        : Response.json({ access_token: 'b' });
    });
    const result = await exchangeCode(endpoint, 'code', null, 'https://app/cb');
    expect(result).toMatchObject({ accessToken: 'b', expiry: '' });
    expect(Object.fromEntries(new URLSearchParams(await requests[1].text()))).toMatchObject({
      client_id: 'client',
      client_secret: 'secret',
    });
  });

  it('fails on an answer without an access token (GitHub answers errors with 200)', async () => {
    stubFetch({ [endpoint.tokenURL]: { json: { error: 'bad_verification_code' } } });
    await expect(exchangeCode(endpoint, 'code', null, 'https://app/cb')).rejects.toThrow();
  });
});

describe('truthy (Go cast.ToBool)', () => {
  it.each([
    [true, true],
    ['true', true],
    ['1', true],
    [1, true],
    [false, false],
    ['false', false],
    ['yes', false],
    [0, false],
    [null, false],
    [undefined, false],
  ])('%j → %s', (value, expected) => {
    expect(truthy(value)).toBe(expected);
  });
});
