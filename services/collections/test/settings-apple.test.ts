import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { type CollectionsTestApp, startCollectionsApp } from './support/test-app';

let test: CollectionsTestApp;
let superuser: string;
let user: string;
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const valid = {
  clientId: 'com.example.web',
  teamId: 'TEAM123456',
  keyId: 'KEY1234567',
  privateKey: pem,
  duration: 3600,
};

const generate = (body: unknown, token = superuser) =>
  test.app.inject({
    method: 'POST',
    url: '/api/settings/apple/generate-client-secret',
    headers: token ? { authorization: token } : {},
    payload: body as object,
  });

beforeAll(async () => {
  test = await startCollectionsApp('settings-apple-test');
  superuser = (await createAuthRecord(test.app, '_superusers', 'root@example.com')).token;
  user = (await createAuthRecord(test.app, 'users', 'user@example.com')).token;
});
afterAll(async () => {
  await test?.app.close();
  await test?.database.drop();
});

describe('POST /api/settings/apple/generate-client-secret', () => {
  it("signs Apple's client secret with the developer's key (ES256, kid, Apple's audience)", async () => {
    const response = await generate(valid);
    expect(response.statusCode).toBe(200);
    const { secret } = response.json();
    const decoded = jwt.verify(secret, publicKey, { algorithms: ['ES256'], complete: true });
    expect(decoded.header).toMatchObject({ alg: 'ES256', kid: 'KEY1234567' });
    const claims = decoded.payload as Record<string, number | string>;
    expect(claims).toMatchObject({ aud: 'https://appleid.apple.com', sub: 'com.example.web', iss: 'TEAM123456' });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
  });

  it('is for superusers only', async () => {
    expect((await generate(valid, '')).statusCode).toBe(401);
    expect((await generate(valid, user)).statusCode).toBe(403);
  });

  it.each([
    [{}, ['clientId', 'duration', 'keyId', 'privateKey', 'teamId']],
    [{ ...valid, teamId: 'short', keyId: 'far-too-long-key' }, ['keyId', 'teamId']],
    [{ ...valid, duration: 15_777_001 }, ['duration']],
    [{ ...valid, duration: -5 }, ['duration']],
    [{ ...valid, privateKey: 'not a pem' }, ['privateKey']],
  ])('validates %j', async (body, invalid) => {
    const response = await generate(body);
    expect(response.statusCode).toBe(400);
    expect(Object.keys(response.json().data)).toEqual(invalid);
  });

  it('answers 400 for a value of the wrong type', async () => {
    const response = await generate({ ...valid, duration: '3600' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      data: {},
      message: 'An error occurred while loading the submitted data.',
      status: 400,
    });
  });

  it('answers 400 when the key is not an EC P-256 key', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    const broken = `-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----`;
    for (const key of [rsa.toString(), broken]) {
      const response = await generate({ ...valid, privateKey: key });
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toMatch(/^Failed to generate client secret\. Raw error: /);
    }
  });
});
