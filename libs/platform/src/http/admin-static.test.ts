import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminWebDistDir, isAdminWebBuilt, registerAdminStatic } from './admin-static';

let dist: string;
let app: FastifyInstance;
let unbuilt: FastifyInstance;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'hb-admin-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<html>dashboard</html>');
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
  app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  registerAdminStatic(app, dist);
  unbuilt = Fastify();
  registerAdminStatic(unbuilt, join(dist, 'nothing-here'));
});

afterAll(async () => {
  await app.close();
  await unbuilt.close();
  rmSync(dist, { recursive: true, force: true });
});

describe('registerAdminStatic', () => {
  it.each([
    ['/_/', 200, 'no-cache', '<html>dashboard</html>'],
    ['/_/assets/index-abc123.js', 200, 'public, max-age=31536000, immutable', 'console.log(1)'],
    ['/_/favicon.svg', 200, 'no-cache', '<svg/>'],
    // Deep links and reloads of client routes get the page.
    ['/_/collections/abc', 200, 'no-cache', '<html>dashboard</html>'],
  ])('GET %s answers %i (cache-control %s)', async (url, status, cacheControl, body) => {
    const response = await app.inject({ url });
    expect(response.statusCode).toBe(status);
    expect(response.headers['cache-control']).toBe(cacheControl);
    expect(response.body).toBe(body);
  });

  it('answers a missing hashed asset with a PocketBase-shaped 404, not the page', async () => {
    const response = await app.inject({ url: '/_/assets/gone-999.js' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ status: 404, data: {} });
  });

  it('never serves a file outside the build directory', async () => {
    writeFileSync(join(dist, '..', 'hb-admin-secret.txt'), 'TOP-SECRET-CONTENT');
    try {
      for (const url of [
        '/_/..%2fhb-admin-secret.txt',
        '/_/%2e%2e/hb-admin-secret.txt',
        '/_/assets/..%2f..%2fhb-admin-secret.txt',
      ]) {
        const response = await app.inject({ url });
        expect(response.body).not.toContain('TOP-SECRET-CONTENT');
      }
    } finally {
      rmSync(join(dist, '..', 'hb-admin-secret.txt'), { force: true });
    }
  });

  it('redirects /_ to /_/', async () => {
    const response = await app.inject({ url: '/_' });
    expect(response.statusCode).toBe(301);
    expect(response.headers.location).toBe('/_/');
  });

  it('without a build, /_/ is a 404 that says so', async () => {
    const response = await unbuilt.inject({ url: '/_/' });
    expect(response.statusCode).toBe(404);
    expect(response.json().message).toBe('The dashboard is not built on this server.');
    expect(isAdminWebBuilt(join(dist, 'nothing-here'))).toBe(false);
  });

  it('finds the build through ADMIN_WEB_DIR, else the admin-web package', () => {
    expect(adminWebDistDir({ ADMIN_WEB_DIR: dist })).toBe(dist);
    expect(adminWebDistDir({})).toMatch(/admin-web[/\\]dist$/);
  });
});
