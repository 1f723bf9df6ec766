import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The `hivebase` package's entry, as a custom server imports it.
import { createHivebase, defineExtension, HookError, requireAuth, routes, type StandaloneServer } from './hivebase';

describe('createHivebase', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let server: StandaloneServer | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it('starts the standalone app with extensions passed in code', async () => {
    const ping = defineExtension({
      name: 'ping',
      routes: [
        routes.get('/api/ping', () => ({ pong: true })),
        routes.get('/api/teapot', () => {
          throw new HookError(418, 'I am a teapot.', { brew: { code: 'no_coffee', message: 'Tea only.' } });
        }),
        routes.get('/api/mine', () => 'secret', requireAuth()),
      ],
    });
    server = await createHivebase({
      extensions: [ping],
      http: '127.0.0.1:0',
      databaseUrl: database.url,
      // No hooks directory beside the (unused) data directory.
      hooksDir: '/nonexistent-hb-hooks',
      env: { LOG_LEVEL: 'silent' },
    });
    const base = `http://127.0.0.1:${server.port}`;
    expect(await (await fetch(`${base}/api/ping`)).json()).toEqual({ pong: true });
    const teapot = await fetch(`${base}/api/teapot`);
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toEqual({
      data: { brew: { code: 'no_coffee', message: 'Tea only.' } },
      message: 'I am a teapot.',
      status: 418,
    });
    const guest = await fetch(`${base}/api/mine`);
    expect(guest.status).toBe(401);
    expect(await guest.json()).toEqual({
      data: {},
      message: 'The request requires valid record authorization token.',
      status: 401,
    });
    // The built-in API is there too.
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
  });
});
