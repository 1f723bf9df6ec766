import type { TestDatabase } from '@hivebase/platform/testing';
import { SchemaRegistry } from '@hivebase/runtime';
import type { AuthCollection } from '@hivebase/schema';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;
let superuserToken: string;
let userToken: string;

type Json = Record<string, unknown>;

async function call(method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, body?: unknown, token = superuserToken) {
  const response = await app.inject({
    method,
    url,
    headers: token ? { authorization: token } : {},
    ...(body === undefined ? {} : { payload: body as Json }),
  });
  return { status: response.statusCode, body: (response.body ? response.json() : {}) as Json };
}

/** The stored definition of `users`, to prove a refused save changed nothing. */
const storedUsers = async () =>
  (await pool.query<{ data: unknown }>(`SELECT data FROM "_collections" WHERE name = 'users'`)).rows[0].data;

const google = { name: 'google', clientId: 'google-client', clientSecret: 'google-secret' };
const enabled = (...providers: unknown[]) => ({ oauth2: { enabled: true, providers } });

/** `data.oauth2.providers` of a 400, as PocketBase nests it. */
const providerErrors = (errors: Json) => ({ oauth2: { providers: errors } });

beforeAll(async () => {
  ({ database, app, pool } = await startCollectionsApp('oauth2-providers-meta-test'));
  superuserToken = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  userToken = (await createAuthRecord(app, 'users', 'u@example.com')).token;
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe('GET /api/collections/meta/oauth2-providers', () => {
  it.each([
    ['a guest', '', 401, 'The request requires valid record authorization token.'],
    ['a users record', 'user', 403, 'The authorized record is not allowed to perform this action.'],
  ])('refuses %s', async (_who, which, status, message) => {
    const response = await call('GET', '/api/collections/meta/oauth2-providers', undefined, which && userToken);
    expect(response).toEqual({ status, body: { data: {}, message, status } });
  });

  it("lists every provider a collection may configure, by name, in the SDK's ConfigurableOAuth2Provider shape", async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/collections/meta/oauth2-providers',
      headers: { authorization: superuserToken },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as Json[];
    expect(body.map((provider) => [provider.name, provider.displayName])).toEqual([
      ['apple', 'Apple'],
      ['discord', 'Discord'],
      ['github', 'GitHub'],
      ['gitlab', 'GitLab'],
      ['google', 'Google'],
      ['microsoft', 'Microsoft'],
      ['oidc', 'OIDC'],
      ['oidc2', 'OIDC'],
      ['oidc3', 'OIDC'],
    ]);
    // PocketBase's struct order; no logos shipped yet.
    expect(response.body.startsWith('[{"name":"apple","displayName":"Apple","logo":""},')).toBe(true);
  });

  it('trims the list with `fields`, as every 2xx JSON answer', async () => {
    const { status, body } = await call('GET', '/api/collections/meta/oauth2-providers?fields=name');
    expect(status).toBe(200);
    expect((body as unknown as Json[])[0]).toEqual({ name: 'apple' });
  });
});

describe('saving an auth collection with OAuth2 providers', () => {
  it('keeps a valid provider list and never sends a client secret back', async () => {
    const oidc = {
      name: 'oidc',
      displayName: 'Company SSO',
      clientId: 'sso-client',
      clientSecret: 'sso-secret',
      authURL: 'https://sso.example.com/authorize',
      tokenURL: 'http://127.0.0.1:5556/token',
      userInfoURL: '',
      pkce: null,
      extra: { issuers: ['https://sso.example.com'] },
    };
    const { status, body } = await call('PATCH', '/api/collections/users', enabled(google, oidc));
    expect(status).toBe(200);
    const providers = (body.oauth2 as { providers: Json[] }).providers;
    expect(providers.map((provider) => provider.name)).toEqual(['google', 'oidc']);
    expect(JSON.stringify(body)).not.toContain('secret');
    const stored = app.get(SchemaRegistry).find('users') as AuthCollection;
    expect(stored.oauth2.providers.map((provider) => provider.clientSecret)).toEqual(['google-secret', 'sso-secret']);
  });

  it.each([
    [
      'an unknown provider name',
      enabled({ name: 'custom', clientId: 'a', clientSecret: 'b', authURL: 'https://idp.example.com/auth' }),
      {
        0: {
          name: {
            code: 'validation_missing_provider',
            message: 'Invalid or missing provider with name custom.',
            params: { name: 'custom' },
          },
        },
      },
    ],
    [
      'a name inherited from Object.prototype',
      enabled({ name: 'toString', clientId: 'a', clientSecret: 'b' }),
      {
        0: {
          name: {
            code: 'validation_missing_provider',
            message: 'Invalid or missing provider with name toString.',
            params: { name: 'toString' },
          },
        },
      },
    ],
    [
      'a provider without name, client id and secret',
      enabled(google, { displayName: 'Nameless' }),
      {
        1: {
          name: { code: 'validation_required', message: 'Cannot be blank.' },
          clientId: { code: 'validation_required', message: 'Cannot be blank.' },
          clientSecret: { code: 'validation_required', message: 'Cannot be blank.' },
        },
      },
    ],
    [
      'URLs that are not URLs',
      enabled({ ...google, authURL: 'not a url', tokenURL: 'javascript:alert(1)', userInfoURL: 'ftp:/x' }),
      {
        0: {
          authURL: { code: 'validation_is_url', message: 'Must be a valid URL.' },
          tokenURL: { code: 'validation_is_url', message: 'Must be a valid URL.' },
          userInfoURL: { code: 'validation_is_url', message: 'Must be a valid URL.' },
        },
      },
    ],
    [
      'the same provider twice (only the first repeat is reported, as PocketBase)',
      enabled(google, { name: 'github' }, google, google),
      {
        2: {
          name: {
            code: 'validation_duplicated_provider',
            message: 'The provider google is already registered.',
            params: { name: 'google' },
          },
        },
      },
    ],
    [
      'a provider list that is not a list',
      { oauth2: { enabled: true, providers: { name: 'google' } } },
      { code: 'validation_invalid_value', message: 'Must be an array.' },
    ],
    [
      'provider values of the wrong JSON type, even while OAuth2 is disabled',
      { oauth2: { enabled: false, providers: ['google', { ...google, clientId: 42, pkce: 'yes', extra: [] }] } },
      {
        0: { code: 'validation_invalid_value', message: 'Must be an object.' },
        1: {
          clientId: { code: 'validation_invalid_value', message: 'Must be a string.' },
          pkce: { code: 'validation_invalid_value', message: 'Must be a boolean or null.' },
          extra: { code: 'validation_invalid_value', message: 'Must be an object or null.' },
        },
      },
    ],
  ])('refuses %s with a 400 at data.oauth2.providers', async (_case, change, errors) => {
    const before = await storedUsers();
    const { status, body } = await call('PATCH', '/api/collections/users', change);
    expect(status).toBe(400);
    expect(body).toEqual({ data: providerErrors(errors), message: 'Failed to update collection.', status: 400 });
    expect(await storedUsers()).toEqual(before);
  });

  it('checks the providers of a new auth collection too', async () => {
    const { status, body } = await call('POST', '/api/collections', {
      name: 'members',
      type: 'auth',
      ...enabled({ name: 'myspace', clientId: 'a', clientSecret: 'b' }),
    });
    expect(status).toBe(400);
    expect(body.data).toEqual(
      providerErrors({ 0: { name: expect.objectContaining({ code: 'validation_missing_provider' }) } }),
    );
    expect((await call('GET', '/api/collections/members')).status).toBe(404);
  });

  it('reports an imported collection’s providers under collections.N', async () => {
    const users = (await call('GET', '/api/collections/users')).body;
    const { status, body } = await call('PUT', '/api/collections/import', {
      collections: [{ ...users, ...enabled({ name: 'nope', clientId: 'a', clientSecret: 'b' }) }],
    });
    expect(status).toBe(400);
    expect(body.data).toEqual({
      collections: {
        0: providerErrors({ 0: { name: expect.objectContaining({ code: 'validation_missing_provider' }) } }),
      },
    });
  });

  it('leaves a disabled configuration unchecked, as PocketBase (a half-written provider may wait there)', async () => {
    const { status, body } = await call('PATCH', '/api/collections/users', {
      oauth2: { enabled: false, providers: [{ name: 'custom' }] },
    });
    expect(status).toBe(200);
    expect((body.oauth2 as Json).providers).toEqual([{ name: 'custom' }]);
    // Enabling it as it stands is refused.
    const enabling = await call('PATCH', '/api/collections/users', { oauth2: { enabled: true } });
    expect(enabling.status).toBe(400);
    expect(enabling.body.data).toMatchObject(providerErrors({ 0: { name: { code: 'validation_missing_provider' } } }));
  });
});
