import { resolve } from 'node:path';
import { freePort } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootedWithRoot, bootWithRoot, failure, SHAPE_NAMES, SUPERUSER } from './support/auth-fixture';
import {
  bootReplicated,
  CLI,
  type RunningProcess,
  type RunningShape,
  start,
  waitForHealthy,
} from './support/boot-shape';

// Windows long enough that none ends during a test: the N+1th request is refused by count, not by time.
const WINDOW = 600;
const TOO_MANY = { status: 429, message: 'Too Many Requests.', data: {} };

/** Sends `count` requests one after another and returns their statuses. */
async function statuses(count: number, send: () => Promise<Response>): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i++) result.push((await send()).status);
  return result;
}

describe.each(SHAPE_NAMES)('rate limits from settings.rateLimits (%s)', (shape) => {
  let booted: BootedWithRoot;
  let user: PocketBase;
  const url = (path: string) => `${booted.running.baseUrl}${path}`;

  beforeAll(async () => {
    booted = await bootWithRoot(shape);
    await booted.root.collections.create({
      name: 'notes',
      type: 'base',
      fields: [{ name: 'title', type: 'text' }],
      listRule: '',
      viewRule: '',
      createRule: '',
    });
    const guest = new PocketBase(booted.running.baseUrl);
    await guest
      .collection('users')
      .create({ email: 'rl@example.com', password: 'rl-password-1', passwordConfirm: 'rl-password-1' });
    user = new PocketBase(booted.running.baseUrl);
    user.autoCancellation(false);
    await user.collection('users').authWithPassword('rl@example.com', 'rl-password-1');
    await booted.root.settings.update({
      rateLimits: {
        enabled: true,
        rules: [
          { label: '/api/health', audience: '', duration: WINDOW, maxRequests: 3 },
          { label: 'notes:create', audience: '@guest', duration: WINDOW, maxRequests: 2 },
          { label: '*:list', audience: '@auth', duration: WINDOW, maxRequests: 2 },
        ],
      },
    });
  }, 180_000);
  afterAll(async () => {
    await booted?.root.settings.update({ rateLimits: { enabled: false } }).catch(() => undefined);
    await booted?.stop();
  });

  it('turns the N+1th request on a path label into a 429 in PocketBase’s shape', async () => {
    expect(await statuses(3, () => fetch(url('/api/health')))).toEqual([200, 200, 200]);
    const refused = await fetch(url('/api/health'));
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual(TOO_MANY);
  });

  it('limits a collection action per audience: guests here, signed-in users not', async () => {
    const guest = new PocketBase(booted.running.baseUrl);
    guest.autoCancellation(false);
    await guest.collection('notes').create({ title: 'one' });
    await guest.collection('notes').create({ title: 'two' });
    const third = await failure(guest.collection('notes').create({ title: 'three' }));
    expect(third.status).toBe(429);
    expect(third.response).toEqual(TOO_MANY);
    // `notes:create` is for guests only: a signed-in user still creates.
    for (const title of ['a', 'b', 'c']) await user.collection('notes').create({ title });
  });

  it('matches wildcard labels for their audience, and never limits superusers', async () => {
    await user.collection('notes').getList();
    await user.collection('notes').getList();
    expect((await failure(user.collection('notes').getList())).status).toBe(429);
    // `*:list` is for signed-in users; guests list on.
    const guest = new PocketBase(booted.running.baseUrl);
    guest.autoCancellation(false);
    for (let i = 0; i < 3; i++) await guest.collection('notes').getList();
    for (let i = 0; i < 5; i++) await booted.root.collection('notes').getList();
    for (let i = 0; i < 5; i++) await booted.root.health.check();
  });

  it('treats a forged token as a guest’s', async () => {
    const [, body] = user.authStore.token.split('.');
    const forged = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${body}.${'A'.repeat(43)}`;
    const send = () =>
      fetch(url('/api/collections/notes/records'), {
        method: 'POST',
        headers: { authorization: forged, 'content-type': 'application/json' },
        body: '{"title":"forged"}',
      });
    // The guests' `notes:create` budget is spent above: a forged "auth" token does not get past it.
    expect((await send()).status).toBe(429);
  });

  it('lets excluded IPs through', async () => {
    await booted.root.settings.update({ rateLimits: { excludedIPs: ['127.0.0.0/8'] } });
    expect(await statuses(5, () => fetch(url('/api/health')))).toEqual([200, 200, 200, 200, 200]);
    await booted.root.settings.update({ rateLimits: { excludedIPs: [] } });
    expect((await fetch(url('/api/health'))).status).toBe(429);
  });

  it('refuses rules PocketBase refuses, with a 400', async () => {
    const bad = await failure(
      booted.root.settings.update({
        rateLimits: { rules: [{ label: 'not a label!', audience: '@nobody', duration: 0, maxRequests: 0 }] },
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.response.data).toHaveProperty('rateLimits');
  });
});

describe('two gateway replicas share one rate-limit budget', () => {
  let database: TestDatabase;
  let running: RunningShape & { environments: Record<string, NodeJS.ProcessEnv> };
  let second: RunningProcess | undefined;
  let secondUrl = '';

  beforeAll(async () => {
    database = await createTestDatabase();
    const cli = start('superuser', [CLI, 'superuser', 'upsert', SUPERUSER.email, SUPERUSER.password], {
      ...process.env,
      DATABASE_URL: database.url,
    });
    if ((await new Promise((done) => cli.child.once('exit', done))) !== 0) throw new Error(cli.output());
    running = await bootReplicated({ databaseUrl: database.url, replicas: 1 });
    const root = new PocketBase(running.baseUrl);
    await root.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    await root.settings.update({
      // A path no service serves (a 404 each): the health checks that wait for the gateways stay unlimited.
      rateLimits: {
        enabled: true,
        rules: [{ label: '/api/rl-probe/', audience: '', duration: WINDOW, maxRequests: 4 }],
      },
    });
    // A second gateway on the same services, Redis namespace and database, as a second replica would be.
    const port = await freePort();
    secondUrl = `http://127.0.0.1:${port}`;
    second = start('gateway-2', [resolve(__dirname, '../../services/gateway/dist/main.js')], {
      ...running.environments.gateway,
      HB_HTTP: `127.0.0.1:${port}`,
    });
    await waitForHealthy(`${secondUrl}/api/health`, [second]);
  }, 180_000);
  afterAll(async () => {
    await second?.stop();
    await running?.stop();
    await database?.drop();
  });

  it('refuses the N+1th request whichever gateway it reaches', async () => {
    const gateways = [running.baseUrl, secondUrl];
    const answered: number[] = [];
    for (let i = 0; i < 4; i++) answered.push((await fetch(`${gateways[i % 2]}/api/rl-probe/${i}`)).status);
    expect(answered).toEqual([404, 404, 404, 404]);
    // Each gateway saw two requests of the four: only a shared count refuses the fifth on either.
    const fifth = await fetch(`${gateways[0]}/api/rl-probe/5`);
    const sixth = await fetch(`${gateways[1]}/api/rl-probe/6`);
    expect([fifth.status, sixth.status]).toEqual([429, 429]);
    expect(await sixth.json()).toEqual(TOO_MANY);
  });
});
