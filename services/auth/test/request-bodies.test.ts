import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthTestApp, createAuthRecord, startAuthApp } from './support/auth-app';

const GENERIC = 'Something went wrong while processing your request.';
const UNSUPPORTED = 'Unsupported Content-Type.';
const LOAD = 'An error occurred while loading the submitted data.';

let test: AuthTestApp;
let user = { id: '', token: '' };

async function call(url: string, payload: string, contentType: string, token = '') {
  const response = await test.app.inject({
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': contentType, ...(token ? { authorization: token } : {}) },
  });
  return { status: response.statusCode, body: response.json() };
}

beforeAll(async () => {
  test = await startAuthApp();
  user = await createAuthRecord(test, 'users', { email: 'user@example.com' });
});
afterAll(() => test?.close());

// PocketBase v0.39's auth handlers: the message each answers when BindBody fails on a malformed
// body, and on a Content-Type it does not bind (BindBody's own error where `firstApiError` passes
// it through).
const ROUTES: [url: string, malformed: string, unsupported: string, who: 'guest' | 'user' | 'superuser'][] = [
  ['/api/collections/users/auth-with-password', LOAD, UNSUPPORTED, 'guest'],
  ['/api/collections/users/request-verification', LOAD, UNSUPPORTED, 'guest'],
  ['/api/collections/users/confirm-verification', LOAD, UNSUPPORTED, 'guest'],
  ['/api/collections/users/request-password-reset', LOAD, UNSUPPORTED, 'guest'],
  ['/api/collections/users/confirm-password-reset', LOAD, LOAD, 'guest'],
  ['/api/collections/users/request-email-change', LOAD, UNSUPPORTED, 'user'],
  ['/api/collections/users/confirm-email-change', LOAD, UNSUPPORTED, 'guest'],
  ['/api/collections/users/impersonate/{user}', LOAD, LOAD, 'superuser'],
  ['/api/collections/users/auth-refresh', GENERIC, UNSUPPORTED, 'user'],
];

describe('auth request bodies that do not bind, answered as PocketBase does', () => {
  const tokenOf = (who: 'guest' | 'user' | 'superuser') =>
    who === 'user' ? user.token : who === 'superuser' ? test.superuserToken : '';

  it.each(ROUTES)('POST %s', async (route, malformed, unsupported, who) => {
    const url = route.replace('{user}', user.id);
    for (const payload of ['{"identity', '[{"identity":"user@example.com"}]', '"x"', '{"a":1']) {
      expect(await call(url, payload, 'application/json', tokenOf(who)), payload).toEqual({
        status: 400,
        body: { data: {}, message: malformed, status: 400 },
      });
    }
    for (const type of ['text/plain', 'application/octet-stream', 'Application/Json']) {
      expect(await call(url, '{"identity":"user@example.com"}', type, tokenOf(who)), type).toEqual({
        status: 400,
        body: { data: {}, message: unsupported, status: 400 },
      });
    }
  });

  it('answers what PocketBase checks before binding first', async () => {
    // OTP is off on users (403), a guest asks for an email change (401), a missing collection (404).
    expect((await call('/api/collections/users/request-otp', '{"', 'application/json')).status).toBe(403);
    expect((await call('/api/collections/users/request-email-change', '{"', 'application/json')).status).toBe(401);
    expect((await call(`/api/collections/users/impersonate/${user.id}`, '{"', 'application/json')).status).toBe(401);
    expect((await call('/api/collections/missing/auth-with-password', '{"', 'application/json')).status).toBe(404);
  });

  it('signs in with a form body, and with JSON followed by data it never reads', async () => {
    const form = await call(
      '/api/collections/users/auth-with-password',
      'identity=user%40example.com&password=password123',
      'application/x-www-form-urlencoded',
    );
    expect(form.status).toBe(200);
    const json = await call(
      '/api/collections/users/auth-with-password',
      '{"identity":"user@example.com","password":"password123"}\n{"password":"wrong"}',
      'application/json',
    );
    expect(json.status).toBe(200);
  });
});
