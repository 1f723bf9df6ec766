import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootedWithRoot, bootWithRoot, failure, SHAPE_NAMES } from './support/auth-fixture';
import { CLI, type RunningProcess, start } from './support/boot-shape';

// The SDK's realtime client needs a global EventSource, which Node lacks.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const SEED_EXAMPLE = resolve(__dirname, '../../examples/seed-hooks/seed.ts');
const COLLECTIONS_MAIN = resolve(__dirname, '../../services/collections/dist/main.js');

// A second extension beside the seed's: hook order, refusals, failures, after-write hooks, auth
// hooks and routes with middleware. Written as TypeScript so boot type-checks it like any other.
const PROBE = `
import { bodyLimit, badRequestError, cron, defineExtension, forbiddenError, requireAuth, requireGuestOnly, requireSuperuserAuth, routes } from 'hivebase';

const log: Record<string, unknown>[] = [];

export default defineExtension({
  name: 'probe',
  // Yearly: it never fires during the test, only when run through the API.
  crons: [cron('probe_cron', '@yearly', () => void log.push({ hook: 'cron' }))],
  routes: [
    routes.get('/api/probe/log', () => ({ log }), requireSuperuserAuth()),
    routes.post('/api/probe/echo/:name', (e) => e.json(201, { name: e.params.name, body: e.body, guest: e.auth === null })),
    routes.get('/api/probe/users-only', (e) => ({ id: e.auth?.record.id }), requireAuth('users')),
    routes.get('/api/probe/guests-only', () => e2eText(), requireGuestOnly()),
    routes.post('/api/probe/small', () => undefined, bodyLimit(64)),
    routes.get('/api/probe/fail', () => {
      throw new Error('route boom');
    }),
  ],
  hooks: {
    onRecordCreateRequest: [
      {
        collections: ['ordered'],
        handler: async (e) => {
          e.body.trail = String(e.body.trail ?? '') + 'requestA>';
          await e.next();
          if (e.record) e.record.trail = String(e.record.trail) + '<requestA';
        },
      },
      {
        collections: ['ordered'],
        handler: async (e) => {
          e.body.trail = String(e.body.trail) + 'requestB>';
          await e.next();
        },
      },
      {
        collections: ['guarded'],
        handler: async (e) => {
          if (e.body.title === 'reject') throw badRequestError('Titles may not be "reject".');
          await e.next();
        },
      },
    ],
    onRecordCreate: [
      {
        collections: ['ordered'],
        handler: async (e) => {
          e.record.trail = String(e.record.trail) + 'model>';
          await e.next();
        },
      },
      {
        collections: ['guarded'],
        handler: async (e) => {
          await e.next();
          if (e.record.title === 'explode') throw new Error('boom after the write');
        },
      },
    ],
    onRecordAfterCreateSuccess: {
      collections: ['ordered'],
      handler: async (e) => {
        const stored = await e.app.findRecordById('ordered', String(e.record.id));
        log.push({ hook: 'success', trail: e.record.trail, stored: stored ? stored.trail : null });
        await e.next();
      },
    },
    onRecordAfterCreateError: {
      collections: ['guarded'],
      handler: async (e) => {
        log.push({ hook: 'error', title: e.record.title, error: e.error instanceof Error ? e.error.message : String(e.error) });
        await e.next();
      },
    },
    onRecordAuthRequest: {
      collections: ['users'],
      handler: async (e) => {
        e.record.greeting = 'hello from a hook';
        await e.next();
      },
    },
    onRecordAuthWithPasswordRequest: {
      collections: ['users'],
      handler: async (e) => {
        if (e.identity === 'blocked@example.com') throw forbiddenError('Blocked by an extension.');
        await e.next();
      },
    },
    onRecordAuthRefreshRequest: {
      collections: ['users'],
      handler: async (e) => {
        if (e.record.email === 'stale@example.com') throw badRequestError('No refresh for you.');
        e.record.name = 'refreshed by a hook';
        await e.next();
      },
    },
    onRecordRequestOTPRequest: {
      collections: ['users'],
      handler: async (e) => {
        if (e.record?.email === 'stale@example.com') throw badRequestError('No code for you.');
        await e.next();
      },
    },
  },
});

function e2eText(): string {
  return 'guests welcome';
}
`;

/** A hooks directory holding the seed example and the probe. */
function hooksDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hb-hooks-'));
  copyFileSync(SEED_EXAMPLE, join(dir, 'seed.ts'));
  writeFileSync(join(dir, 'probe.ts'), PROBE);
  return dir;
}

describe.each(SHAPE_NAMES)('extensions (%s)', (shape) => {
  let booted: BootedWithRoot | undefined;
  let root: PocketBase;
  let guest: PocketBase;
  let alice: PocketBase;
  let dir = '';

  beforeAll(async () => {
    dir = hooksDir();
    booted = await bootWithRoot(shape, { HB_HOOKS_DIR: dir, LOG_LEVEL: 'error' });
    root = booted.root;
    guest = new PocketBase(booted.running.baseUrl);
    await guest.collection('users').create({
      email: 'alice@example.com',
      password: 'alice-password',
      passwordConfirm: 'alice-password',
    });
    alice = new PocketBase(booted.running.baseUrl);
    await alice.collection('users').authWithPassword('alice@example.com', 'alice-password');
    const open = { listRule: '', viewRule: '', createRule: '' };
    await root.collections.create({ name: 'posts', ...open, fields: [{ name: 'author', type: 'text' }] });
    await root.collections.create({ name: 'ordered', ...open, fields: [{ name: 'trail', type: 'text' }] });
    await root.collections.create({ name: 'guarded', ...open, fields: [{ name: 'title', type: 'text' }] });
  }, 240_000);

  afterAll(async () => {
    await booted?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the seed route to superusers only: 200, guest 401, user 403', async () => {
    expect(await root.send('/api/hello', {})).toEqual({ message: 'Hello root@example.com!' });
    expect((await failure(guest.send('/api/hello', {}))).status).toBe(401);
    const asUser = await failure(alice.send('/api/hello', {}));
    expect(asUser.status).toBe(403);
    expect(asUser.response).toMatchObject({ status: 403, data: {} });
  });

  it('fills an empty author of a new post with "anonymous" (and keeps a given one)', async () => {
    const anonymous = await guest.collection('posts').create({ author: '' });
    expect(anonymous.author).toBe('anonymous');
    expect((await guest.collection('posts').getOne(anonymous.id)).author).toBe('anonymous');
    expect((await guest.collection('posts').create({})).author).toBe('anonymous');
    expect((await guest.collection('posts').create({ author: 'ada' })).author).toBe('ada');
  });

  it('runs request hooks in order around model hooks, then the after-success hook on the committed record', async () => {
    const created = await guest.collection('ordered').create({ trail: '' });
    // Request hook A added `<requestA` to the answer after next(); the stored record has the rest.
    expect(created.trail).toBe('requestA>requestB>model><requestA');
    expect((await guest.collection('ordered').getOne(created.id)).trail).toBe('requestA>requestB>model>');
    const { log } = await root.send('/api/probe/log', {});
    // The after-success hook read the record on its own connection: it was committed by then.
    expect(log).toContainEqual({
      hook: 'success',
      trail: 'requestA>requestB>model>',
      stored: 'requestA>requestB>model>',
    });
  });

  it('answers a rejecting hook with its 400 and a throwing one with 500, writing nothing and announcing nothing', async () => {
    const events: string[] = [];
    await root.collection('guarded').subscribe('*', (event) => void events.push(String(event.record.title)));
    try {
      const rejected = await failure(guest.collection('guarded').create({ title: 'reject' }));
      expect(rejected.status).toBe(400);
      expect(rejected.response).toEqual({ status: 400, message: 'Titles may not be "reject".', data: {} });

      const exploded = await failure(guest.collection('guarded').create({ title: 'explode' }));
      expect(exploded.status).toBe(500);
      expect(exploded.response.message).toBe('Something went wrong while processing your request.');

      await guest.collection('guarded').create({ title: 'fine' });
      await expect.poll(() => events, { timeout: 10_000 }).toContain('fine');
      // The relay sends events in order: had either refused write left one, it would have come first.
      expect(events).toEqual(['fine']);
      expect((await root.collection('guarded').getFullList()).map((record) => record.title)).toEqual(['fine']);
      const { log } = await root.send('/api/probe/log', {});
      expect(log).toContainEqual({ hook: 'error', title: 'explode', error: 'boom after the write' });
      const collections = Object.entries(booted?.running.processes ?? {}).find(([name]) =>
        ['standalone', 'collections'].includes(name),
      )?.[1];
      await expect.poll(() => collections?.output() ?? '', { timeout: 10_000 }).toContain('boom after the write');
    } finally {
      await root.collection('guarded').unsubscribe();
    }
  });

  it('runs auth hooks in the service that signs in', async () => {
    const signedIn = await new PocketBase(booted?.running.baseUrl)
      .collection('users')
      .authWithPassword('alice@example.com', 'alice-password');
    expect(signedIn.record.greeting).toBe('hello from a hook');
    const blocked = await failure(
      new PocketBase(booted?.running.baseUrl).collection('users').authWithPassword('blocked@example.com', 'whatever-1'),
    );
    expect(blocked.response).toEqual({ status: 403, message: 'Blocked by an extension.', data: {} });
  });

  it('runs the auth-refresh and request-OTP hooks; refusals answer 400 with no token and no code', async () => {
    const refreshed = await alice.collection('users').authRefresh();
    expect(refreshed.record.name).toBe('refreshed by a hook');
    expect(refreshed.token).toEqual(expect.any(String));
    // Answered, not stored.
    expect((await alice.collection('users').getOne(refreshed.record.id)).name).toBe('');

    const stale = await guest.collection('users').create({
      email: 'stale@example.com',
      password: 'stale-password',
      passwordConfirm: 'stale-password',
    });
    const staleClient = new PocketBase(booted?.running.baseUrl);
    await staleClient.collection('users').authWithPassword('stale@example.com', 'stale-password');
    const refused = await failure(staleClient.collection('users').authRefresh());
    expect(refused.response).toEqual({ status: 400, message: 'No refresh for you.', data: {} });

    const users = await root.collections.getOne('users');
    await root.collections.update('users', { otp: { ...users.otp, enabled: true } });
    const requested = await guest.collection('users').requestOTP('alice@example.com');
    expect(requested.otpId).toMatch(/^[a-z0-9]{15}$/);
    const noCode = await failure(guest.collection('users').requestOTP('stale@example.com'));
    expect(noCode.response).toEqual({ status: 400, message: 'No code for you.', data: {} });
    const otps = await root.collection('_otps').getFullList();
    expect(otps.map((otp) => otp.recordRef)).not.toContain(stale.id);
    expect(otps.map((otp) => otp.id)).toContain(requested.otpId);
  });

  it('runs record request hooks for each batch sub-request; a refusal fails the batch with nothing written', async () => {
    await root.settings.update({ batch: { enabled: true, maxRequests: 10 } });
    const batch = guest.createBatch();
    batch.collection('ordered').create({ trail: '' });
    batch.collection('ordered').create({ trail: 'second:' });
    const results = await batch.send();
    expect(results.map((result) => result.body.trail)).toEqual([
      'requestA>requestB>model><requestA',
      'second:requestA>requestB>model><requestA',
    ]);

    const refused = guest.createBatch();
    refused.collection('guarded').create({ title: 'batched' });
    refused.collection('guarded').create({ title: 'reject' });
    const failed = await failure(refused.send());
    expect(failed.status).toBe(400);
    expect(failed.response.data.requests['1'].response).toEqual({
      status: 400,
      message: 'Titles may not be "reject".',
      data: {},
    });
    const titles = (await root.collection('guarded').getFullList()).map((record) => record.title);
    expect(titles).not.toContain('batched');
  });

  it('lists an extension cron in pb.crons and runs it through the API', async () => {
    expect(await root.crons.getFullList()).toContainEqual({ id: 'probe_cron', expression: '0 0 1 1 *' });
    await root.crons.run('probe_cron');
    // The run answers at once; the job runs in the background on the replica that took it.
    await expect
      .poll(async () => (await root.send('/api/probe/log', {})).log, { timeout: 10_000 })
      .toContainEqual({ hook: 'cron' });
  });

  it('serves routes with params, bodies, middleware, body limits and PocketBase errors', async () => {
    const base = booted?.running.baseUrl;
    expect(await guest.send('/api/probe/echo/ada', { method: 'POST', body: { a: 1 } })).toEqual({
      name: 'ada',
      body: { a: 1 },
      guest: true,
    });
    const echoed = await fetch(`${base}/api/probe/echo/x?fields=name`, { method: 'POST' });
    expect(echoed.status).toBe(201);
    expect(await echoed.json()).toEqual({ name: 'x' });
    expect(await alice.send('/api/probe/users-only', {})).toEqual({ id: alice.authStore.record?.id });
    expect((await failure(root.send('/api/probe/users-only', {}))).status).toBe(403);
    expect((await failure(guest.send('/api/probe/users-only', {}))).status).toBe(401);
    expect(await guest.send('/api/probe/guests-only', {})).toBe('guests welcome');
    expect((await failure(alice.send('/api/probe/guests-only', {}))).status).toBe(400);
    const small = await fetch(`${base}/api/probe/small`, { method: 'POST' });
    expect(small.status).toBe(204);
    const big = await fetch(`${base}/api/probe/small`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(200) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ status: 413, data: {} });
    const badJson = await fetch(`${base}/api/probe/echo/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"unterminated',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ status: 400, data: {} });
    const failing = await fetch(`${base}/api/probe/fail`);
    expect(failing.status).toBe(500);
    expect(await failing.json()).toEqual({
      status: 500,
      message: 'Something went wrong while processing your request.',
      data: {},
    });
    // A hooked collection refuses a body that is no object as an unhooked one does (PocketBase's
    // RequestInfo cannot bind it: its generic 400).
    const arrayBody = await fetch(`${base}/api/collections/ordered/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[1, 2]',
    });
    expect(arrayBody.status).toBe(400);
    expect(await arrayBody.json()).toEqual({
      status: 400,
      message: 'Something went wrong while processing your request.',
      data: {},
    });
    // Unknown /api/ paths still answer PocketBase's 404.
    expect((await fetch(`${base}/api/probe/nothing-here`)).status).toBe(404);
  });
});

describe('bad extensions stop boot with a clear message', () => {
  let database: TestDatabase;
  const dirs: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function badDir(source: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'hb-bad-hooks-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'bad.ts'), source);
    return dir;
  }

  async function exitOf(process: RunningProcess): Promise<{ code: number | null; output: string }> {
    const code = await new Promise<number | null>((done) => {
      if (process.child.exitCode !== null) done(process.child.exitCode);
      else process.child.once('exit', done);
    });
    return { code, output: process.output() };
  }

  const serveWith = async (dir: string) =>
    exitOf(
      start('serve', [CLI, 'serve', '--http', `127.0.0.1:${await freePort()}`, '--hooksDir', dir], {
        ...process.env,
        DATABASE_URL: database.url,
      }),
    );

  it('a syntax error names the file and line', async () => {
    const dir = badDir(
      "import { defineExtension } from 'hivebase';\n\nexport default defineExtension({ hooks: { ,} });\n",
    );
    const { code, output } = await serveWith(dir);
    expect(code).not.toBe(0);
    expect(output).toMatch(/extension syntax error:\n.*bad\.ts:3:\d+: /);
  }, 60_000);

  it('a type error names the file and line', async () => {
    const dir = badDir(
      "import { defineExtension, routes } from 'hivebase';\n\nconst count: number = 'three';\nexport default defineExtension({ routes: [routes.get('/api/x', () => count)] });\n",
    );
    const { code, output } = await serveWith(dir);
    expect(code).not.toBe(0);
    expect(output).toMatch(/extension type error:\n.*bad\.ts:3:7: Type 'string' is not assignable to type 'number'/);
  }, 60_000);

  it('an unknown hook name is refused (in plain JavaScript too, where no type check runs)', async () => {
    const dir = badDir('');
    rmSync(join(dir, 'bad.ts'));
    writeFileSync(join(dir, 'bad.js'), 'module.exports = { hooks: { onRecordBeforeCreate: (e) => e.next() } };\n');
    const { code, output } = await serveWith(dir);
    expect(code).not.toBe(0);
    expect(output).toContain('bad.js: unknown hook name "onRecordBeforeCreate"');
  }, 60_000);

  it('a route clashing with a built-in one is refused, by the distributed collections service too', async () => {
    const dir = badDir(
      "import { defineExtension, routes } from 'hivebase';\nexport default defineExtension({ routes: [routes.get('/api/collections/:name/records', () => 'mine')] });\n",
    );
    const standalone = await serveWith(dir);
    expect(standalone.code).not.toBe(0);
    expect(standalone.output).toContain('route GET /api/collections/:name/records clashes with a built-in route');
    const collections = await exitOf(
      start('collections', [COLLECTIONS_MAIN], {
        ...process.env,
        HB_MODE: 'distributed',
        HB_HTTP: `127.0.0.1:${await freePort()}`,
        DATABASE_URL: database.url,
        HB_HOOKS_DIR: dir,
      }),
    );
    expect(collections.code).not.toBe(0);
    expect(collections.output).toContain('clashes with a built-in route');
  }, 60_000);

  it('serve --dev reloads edited extensions and keeps the running ones when an edit is broken', async () => {
    const dir = badDir(
      "import { defineExtension, routes } from 'hivebase';\nexport default defineExtension({ routes: [routes.get('/api/version', () => ({ v: 1 }))] });\n",
    );
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = start('serve --dev', [CLI, 'serve', '--dev', '--http', `127.0.0.1:${port}`, '--hooksDir', dir], {
      ...process.env,
      DATABASE_URL: database.url,
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
    });
    const version = () =>
      fetch(`${base}/api/version`).then(
        (response) => (response.ok ? response.json() : response.status),
        () => 0,
      );
    try {
      await expect.poll(version, { timeout: 30_000, interval: 200 }).toEqual({ v: 1 });
      writeFileSync(
        join(dir, 'bad.ts'),
        "import { defineExtension, routes } from 'hivebase';\nexport default defineExtension({ routes: [routes.get('/api/version', () => ({ v: 2 }))] });\n",
      );
      await expect.poll(version, { timeout: 30_000, interval: 200 }).toEqual({ v: 2 });
      writeFileSync(join(dir, 'bad.ts'), 'export default {');
      await expect.poll(() => server.output(), { timeout: 30_000 }).toContain('extensions not reloaded');
      expect(await version()).toEqual({ v: 2 });
    } finally {
      await server.stop();
    }
  }, 90_000);
});
