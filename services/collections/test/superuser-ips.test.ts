import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestDatabase } from '@hivebase/platform/testing';
import { ipInList } from '@hivebase/runtime';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

let database: TestDatabase;
let app: NestFastifyApplication;
let hooksDir: string;

// A custom route: PocketBase's allow-list covers those too.
const EXTENSION = `
const { defineExtension, routes } = require('hivebase');
module.exports = defineExtension({ routes: [routes.get('/api/test/custom', () => ({ ok: true }))] });
`;
const tokens = { superuser: '', user: '' };

const request = (method: 'GET' | 'PATCH', url: string, token: string, remoteAddress: string, payload?: object) =>
  app.inject({ method, url, headers: token ? { authorization: token } : {}, remoteAddress, payload });

beforeAll(async () => {
  hooksDir = mkdtempSync(join(tmpdir(), 'hb-superuser-ips-'));
  writeFileSync(join(hooksDir, 'routes.js'), EXTENSION);
  ({ database, app } = await startCollectionsApp('superuser-ips-test', { HB_HOOKS_DIR: hooksDir }));
  tokens.superuser = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  tokens.user = (await createAuthRecord(app, 'users', 'user@example.com')).token;
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
  rmSync(hooksDir, { recursive: true, force: true });
});

describe('ipInList', () => {
  it.each([
    [['10.0.0.1'], '10.0.0.1', true],
    [['10.0.0.1'], '10.0.0.2', false],
    [['10.0.0.0/8'], '10.200.3.4', true],
    [['192.168.0.0/16', '::1'], '0000:0000:0000:0000:0000:0000:0000:0001', true],
    [['2001:db8::/32'], '2001:db8::5', true],
    [['not-an-ip'], '10.0.0.1', false],
    [['10.0.0.1'], 'not-an-ip', false],
  ])('%j has %s: %s', (entries, ip, expected) => {
    expect(ipInList(entries, ip)).toBe(expected);
  });
});

describe('the superuser IP allow-list (settings.superuserIPs)', () => {
  it('refuses a superuser from elsewhere on every route, and lets others through', async () => {
    const set = await request('PATCH', '/api/settings', tokens.superuser, '127.0.0.1', {
      superuserIPs: ['10.11.12.13'],
    });
    expect(set.statusCode).toBe(200);

    for (const url of ['/api/settings', '/api/collections', '/api/collections/users/records', '/api/test/custom']) {
      const refused = await request('GET', url, tokens.superuser, '127.0.0.1');
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({
        data: {},
        message: 'You are not allowed to perform this request.',
        status: 403,
      });
    }
    // Users and guests are not superusers: the list does not concern them.
    expect((await request('GET', '/api/collections/users/records', tokens.user, '127.0.0.1')).statusCode).toBe(200);
    expect((await request('GET', '/api/test/custom', tokens.user, '127.0.0.1')).statusCode).toBe(200);
    expect((await request('GET', '/api/test/custom', tokens.superuser, '10.11.12.13')).statusCode).toBe(200);
    expect((await request('GET', '/api/health', '', '127.0.0.1')).statusCode).toBe(200);
    // From the allowed address the superuser works as before, and can lift the list.
    expect((await request('GET', '/api/settings', tokens.superuser, '10.11.12.13')).statusCode).toBe(200);
    const lifted = await request('PATCH', '/api/settings', tokens.superuser, '10.11.12.13', { superuserIPs: [] });
    expect(lifted.statusCode).toBe(200);
    expect((await request('GET', '/api/settings', tokens.superuser, '127.0.0.1')).statusCode).toBe(200);
  });

  it('takes CIDR ranges', async () => {
    await request('PATCH', '/api/settings', tokens.superuser, '127.0.0.1', { superuserIPs: ['127.0.0.0/8'] });
    expect((await request('GET', '/api/settings', tokens.superuser, '127.0.0.9')).statusCode).toBe(200);
    expect((await request('GET', '/api/settings', tokens.superuser, '192.0.2.1')).statusCode).toBe(403);
    await request('PATCH', '/api/settings', tokens.superuser, '127.0.0.1', { superuserIPs: [] });
  });
});
