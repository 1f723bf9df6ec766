import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestDatabase } from '@hivebase/platform/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollectionsApp } from './support/test-app';

// Extension routes read their body as PocketBase's custom routes bind theirs: only when the
// handler asks for it.
const EXTENSION = `
const { defineExtension, routes } = require('hivebase');
module.exports = defineExtension({
  routes: [
    routes.post('/api/test/echo', (e) => ({ body: e.body ?? null })),
    routes.post('/api/test/ignore', () => ({ ok: true })),
  ],
});
`;

let dir: string;
let database: TestDatabase;
let app: NestFastifyApplication;

async function post(url: string, payload: string, contentType: string) {
  const response = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });
  return { status: response.statusCode, body: response.json() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hb-route-bodies-'));
  writeFileSync(join(dir, 'routes.js'), EXTENSION);
  ({ database, app } = await startCollectionsApp('extension-route-bodies-test', { HB_HOOKS_DIR: dir }));
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('extension route bodies', () => {
  it('binds JSON and forms', async () => {
    expect(await post('/api/test/echo', '{"a":1} trailing', 'application/json')).toEqual({
      status: 200,
      body: { body: { a: 1 } },
    });
    expect(await post('/api/test/echo', 'a=1&a=2', 'application/x-www-form-urlencoded')).toEqual({
      status: 200,
      body: { body: { a: ['1', '2'] } },
    });
  });

  it('answers a body that does not read where the handler reads it', async () => {
    expect(await post('/api/test/echo', '{"a', 'application/json')).toEqual({
      status: 400,
      body: { data: {}, message: 'Something went wrong while processing your request.', status: 400 },
    });
    expect(await post('/api/test/echo', 'a', 'text/plain')).toEqual({
      status: 400,
      body: { data: {}, message: 'Unsupported Content-Type.', status: 400 },
    });
  });

  it('ignores the body of a handler that never reads it', async () => {
    expect(await post('/api/test/ignore', '{"a', 'application/json')).toEqual({ status: 200, body: { ok: true } });
    expect(await post('/api/test/ignore', 'a', 'text/plain')).toEqual({ status: 200, body: { ok: true } });
  });
});
