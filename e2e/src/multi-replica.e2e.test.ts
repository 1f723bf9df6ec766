import { resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootReplicated,
  CLI,
  type RunningProcess,
  type RunningShape,
  start,
  waitForHealthy,
} from './support/boot-shape';

const ROOT = { email: 'root@example.com', password: 'root-password-1' };
const USER = { email: 'carol@example.com', password: 'carol-password' };
const REPLICAS = 2;
const SERVICES = ['collections', 'auth'] as const;
// Tries of "create a collection, use it at once" (issue 15: never a 404 in 1 000).
const CREATE_THEN_USE_TRIES = 1_000;

/** Requests a replica served: one access line per request (health probes are not logged). */
const servedBy = (process: RunningProcess) => (process.output().match(/"responseTime":/g) ?? []).length;

/** An SDK client for concurrent use: the SDK would cancel a request that repeats one still running. */
function client(baseUrl: string): PocketBase {
  const pb = new PocketBase(baseUrl);
  pb.autoCancellation(false);
  return pb;
}

async function failure(promise: Promise<unknown>): Promise<ClientResponseError | null> {
  return promise.then(
    () => null,
    (caught: unknown) => {
      if (caught instanceof ClientResponseError) return caught;
      throw caught;
    },
  );
}

/** Runs `work(i)` for i in [0, count) on `concurrency` workers; returns the failures. */
async function runPool(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<unknown[]> {
  let next = 0;
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await work(i).catch((error: unknown) => failures.push(error));
      }
    }),
  );
  return failures;
}

// The multi-replica suite (issue 15): two processes of every service behind one gateway. It runs
// representative SDK flows (records CRUD, batch, sign-in, collection create-then-use) rather
// than every e2e file again, to keep its time reasonable on a 2-core machine.
describe('two replicas of every service behind the gateway', () => {
  let database: TestDatabase;
  let running: RunningShape & { environments: Record<string, NodeJS.ProcessEnv> };
  let root: PocketBase;

  const replica = (service: string, n: number) => running.processes[`${service}-${n}`];

  async function waitForEveryReplica(): Promise<void> {
    for (const [name, env] of Object.entries(running.environments)) {
      await waitForHealthy(`http://${env.HB_HTTP}/api/health`, [running.processes[name]]);
    }
  }

  /** Starts a stopped replica again on its port, as an orchestrator would. */
  async function restart(name: string): Promise<void> {
    const service = name.replace(/-\d+$/, '');
    running.processes[name] = start(
      name,
      [resolve(__dirname, '../../services', service, 'dist/main.js')],
      running.environments[name],
    );
    await waitForEveryReplica();
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const cli = start('superuser', [CLI, 'superuser', 'upsert', ROOT.email, ROOT.password], {
      ...process.env,
      DATABASE_URL: database.url,
    });
    await new Promise((done) => cli.child.once('exit', done));
    running = await bootReplicated({
      databaseUrl: database.url,
      replicas: REPLICAS,
      // Access lines tell which replica served what; health checks every 200 ms bring a restarted one back quickly.
      // A replica told to stop first leaves the gateway's rotation (health fails, 5 checks long).
      backendEnv: { LOG_LEVEL: 'info', HB_SHUTDOWN_DRAIN_MS: '1000' },
      env: { HB_UPSTREAM_HEALTH_INTERVAL_MS: '200' },
    });
    await waitForEveryReplica();
    root = client(running.baseUrl);
    await root.collection('_superusers').authWithPassword(ROOT.email, ROOT.password);
    await root.collections.create({
      name: 'notes',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'rank', type: 'number' },
      ],
    });
    await client(running.baseUrl)
      .collection('users')
      .create({ ...USER, passwordConfirm: USER.password });
  }, 240_000);

  afterAll(async () => {
    await running?.stop();
    await database?.drop();
  });

  it('serves records CRUD, batch and sign-in through the SDK', async () => {
    const user = client(running.baseUrl);
    const auth = await user.collection('users').authWithPassword(USER.email, USER.password);
    expect(auth.record.email).toBe(USER.email);
    const refreshed = await user.collection('users').authRefresh();
    expect(refreshed.record.id).toBe(auth.record.id);

    const notes = user.collection('notes');
    const created = await Promise.all(Array.from({ length: 10 }, (_, i) => notes.create({ title: `n${i}`, rank: i })));
    for (const note of created) expect((await notes.getOne(note.id)).title).toBe(note.title);
    const updated = await notes.update(created[0].id, { title: 'renamed' });
    expect(updated.title).toBe('renamed');
    expect((await notes.getList(1, 50, { filter: 'rank < 5' })).totalItems).toBe(5);
    await notes.delete(created[1].id);
    expect((await failure(notes.getOne(created[1].id)))?.status).toBe(404);

    // Saved on one collections replica, read by the other for the batch that follows.
    await root.settings.update({ batch: { enabled: true, maxRequests: 10 } });
    const batch = root.createBatch();
    batch.collection('notes').create({ title: 'b1', rank: 100 });
    batch.collection('notes').create({ title: 'b2', rank: 101 });
    batch.collection('notes').update(created[2].id, { title: 'batched' });
    const results = await batch.send();
    expect(results.map((result) => result.status)).toEqual([200, 200, 200]);
    expect((await notes.getOne(created[2].id)).title).toBe('batched');
  });

  it(`never answers 404 for a collection used right after it was created (${CREATE_THEN_USE_TRIES} tries)`, async () => {
    const guest = client(running.baseUrl);
    const misses: string[] = [];
    // Each try creates a collection and uses it at once through both services; deleting it again
    // keeps the schema small. Which replica serves each step is up to the gateway.
    const failures = await runPool(CREATE_THEN_USE_TRIES, 4, async (i) => {
      const name = `fresh_${i}`;
      const collection = await root.collections.create({
        name,
        type: i % 2 === 0 ? 'auth' : 'base',
        listRule: '',
        fields: [{ name: 'title', type: 'text' }],
      });
      const use =
        i % 2 === 0
          ? guest.collection(name).listAuthMethods() // the auth service
          : guest.collection(name).getList(1, 1); // the collections service
      const missed = await failure(use);
      if (missed) misses.push(`${name}: ${missed.status} ${missed.message}`);
      await root.collections.delete(collection.id);
    });
    expect(failures).toEqual([]);
    expect(misses).toEqual([]);
    // About 80 s on an idle 2-core machine; far longer when it is shared.
  }, 600_000);

  it('spreads a load run so that each replica serves at least 35 % of its service', async () => {
    const before = Object.fromEntries(
      SERVICES.flatMap((service) => [1, 2].map((n) => [`${service}-${n}`, servedBy(replica(service, n))])),
    );
    const user = client(running.baseUrl);
    await user.collection('users').authWithPassword(USER.email, USER.password);
    const failures = await runPool(600, 8, async (i) => {
      if (i % 2 === 0) await user.collection('notes').getList(1, 5);
      else await user.collection('users').authRefresh();
    });
    expect(failures).toEqual([]);
    for (const service of SERVICES) {
      const served = [1, 2].map((n) => servedBy(replica(service, n)) - before[`${service}-${n}`]);
      const total = served[0] + served[1];
      // Access lines reach us through a pipe: the last few may still be on their way.
      expect(total).toBeGreaterThanOrEqual(250);
      for (const count of served) expect(count / total).toBeGreaterThanOrEqual(0.35);
    }
  });

  it('loses no write and fails no request while a replica shuts down mid-run (SIGTERM)', async () => {
    const acknowledged: string[] = [];
    let stopping: Promise<number | null> | undefined;
    let failures: unknown[];
    try {
      failures = await runPool(300, 6, async (i) => {
        if (i === 100) stopping = replica('collections', 2).stop();
        const note = await root.collection('notes').create({ title: `drain ${i}`, rank: 1000 + i });
        acknowledged.push(note.id);
      });
      expect(await stopping).toBe(0);
    } finally {
      await stopping;
      await restart('collections-2');
    }
    expect(failures).toEqual([]);
    expect(acknowledged).toHaveLength(300);
    const stored = await root.collection('notes').getFullList({ filter: 'rank >= 1000 && rank < 1300', fields: 'id' });
    expect(new Set(stored.map((note) => note.id))).toEqual(new Set(acknowledged));
  });

  it('loses no acknowledged write when a replica is killed mid-run; only requests on it at that moment may fail', async () => {
    const concurrency = 6;
    const acknowledged: string[] = [];
    const failures = await runPool(300, concurrency, async (i) => {
      if (i === 100) replica('collections', 1).child.kill('SIGKILL');
      const note = await root.collection('notes').create({ title: `kill ${i}`, rank: 2000 + i });
      acknowledged.push(note.id);
    });
    // At most the requests running on the killed replica when it died (fewer than the workers).
    expect(failures.length).toBeLessThan(concurrency);
    for (const error of failures) expect((error as ClientResponseError).status).toBe(502);
    expect(acknowledged.length + failures.length).toBe(300);
    const stored = await root.collection('notes').getFullList({ filter: 'rank >= 2000 && rank < 2300', fields: 'id' });
    const storedIds = new Set(stored.map((note) => note.id));
    for (const id of acknowledged) expect(storedIds.has(id)).toBe(true);
  });
});
