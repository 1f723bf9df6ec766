import { createServer, request as httpRequest, type Server } from 'node:http';
import { freePort, RedisEventBus } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import { randomString } from '@hivebase/schema';
import { distributedEnvironment, type ServiceName } from '@hivebase/standalone';
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLI, type RunningProcess, start, waitForHealthy } from './support/boot-shape';

(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const SUPERUSER = { email: 'root@example.com', password: 'root-password-1' };
const ARRIVAL = { timeout: 15_000, interval: 50 };
const SERVICES_DIR = `${__dirname}/../../services`;

/** Forwards everything to `target`, which a test may switch (a stand-in for a balancer in front of replicas). */
function switchableProxy(port: number, initialTarget: number): { server: Server; target: { port: number } } {
  const target = { port: initialTarget };
  const server = createServer((incoming, outgoing) => {
    const upstream = httpRequest(
      { host: '127.0.0.1', port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
        // A replica killed mid-stream ends the response without a proper end: pass the cut on.
        response.on('close', () => {
          if (!outgoing.writableEnded) outgoing.destroy();
        });
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  server.listen(port, '127.0.0.1');
  return { server, target };
}

/**
 * Opens a stream on the replica at `streamPort`, collects the titles of `posts/*` events, and
 * subscribes it to `posts/*` with a POST to the replica at `postPort`.
 */
async function subscribedToPosts(streamPort: number, postPort = streamPort) {
  const stream = new EventSource(`http://127.0.0.1:${streamPort}/api/realtime`);
  const received: string[] = [];
  const clientId = await new Promise<string>((resolve, reject) => {
    stream.addEventListener('PB_CONNECT', (event) => resolve(JSON.parse(event.data).clientId));
    stream.onerror = () => reject(new Error('stream failed'));
  });
  stream.addEventListener('posts/*', (event) => received.push(JSON.parse(event.data).record.title));
  const subscribed = await fetch(`http://127.0.0.1:${postPort}/api/realtime`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId, subscriptions: ['posts/*'] }),
  });
  expect(subscribed.status).toBe(204);
  return { stream, clientId, received };
}

/** The distributed shape with two realtime replicas, each addressed directly. */
describe('realtime across two replicas (distributed)', () => {
  let database: TestDatabase;
  const processes: RunningProcess[] = [];
  let gateway: string;
  let replicaPorts: [number, number];
  let root: PocketBase;
  let realtimeEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await createTestDatabase();
    const cli = start('superuser', [CLI, 'superuser', 'upsert', SUPERUSER.email, SUPERUSER.password], {
      ...process.env,
      DATABASE_URL: database.url,
    });
    await new Promise((done) => cli.child.once('exit', done));
    const names: ServiceName[] = ['collections', 'auth', 'files', 'realtime', 'gateway'];
    const ports = Object.fromEntries(await Promise.all(names.map(async (s) => [s, await freePort()]))) as Record<
      ServiceName,
      number
    >;
    const environments = distributedEnvironment({
      databaseUrl: database.url,
      redisUrl: 'redis://127.0.0.1:6379',
      ports,
      env: { ...process.env, HB_HEALTH_TIMEOUT_MS: '1000', HB_REDIS_PREFIX: `hb-e2e-${randomString(8)}` },
    });
    for (const service of names) {
      processes.push(start(service, [`${SERVICES_DIR}/${service}/dist/main.js`], environments[service]));
    }
    realtimeEnv = environments.realtime;
    const second = await freePort();
    processes.push(
      start('realtime-2', [`${SERVICES_DIR}/realtime/dist/main.js`], {
        ...realtimeEnv,
        HB_HTTP: `127.0.0.1:${second}`,
      }),
    );
    replicaPorts = [ports.realtime, second];
    gateway = `http://127.0.0.1:${ports.gateway}`;
    await waitForHealthy(`${gateway}/api/health`, processes);
    await waitForHealthy(`http://127.0.0.1:${second}/api/health`, processes);
    root = new PocketBase(gateway);
    root.autoCancellation(false);
    await root.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    await root.collections.create({
      name: 'posts',
      type: 'base',
      listRule: '',
      viewRule: '',
      fields: [{ name: 'title', type: 'text' }],
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await database?.drop();
  });

  it('applies a subscribe POST made on replica B to the stream held by replica A', async () => {
    const [a, b] = replicaPorts;
    const { stream, clientId, received } = await subscribedToPosts(a, b);
    try {
      // Written through the gateway, i.e. by the collections service.
      await root.collection('posts').create({ title: 'via B' });
      await vi.waitFor(() => expect(received).toEqual(['via B']), ARRIVAL);

      // B binds an auth to A's guest client, then refuses a request without it, as A would.
      const upgraded = await fetch(`http://127.0.0.1:${b}/api/realtime`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: root.authStore.token },
        body: JSON.stringify({ clientId, subscriptions: [] }),
      });
      expect(upgraded.status).toBe(204);
      const guestAgain = await fetch(`http://127.0.0.1:${b}/api/realtime`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId, subscriptions: [] }),
      });
      expect(guestAgain.status).toBe(403);
    } finally {
      stream.close();
    }
  });

  it('sends a record event the outbox publishes twice (it delivers at least once) to a subscriber once', async () => {
    // The test's own bus on the services' channels: it sees the relayed event and repeats it.
    const bus = await RedisEventBus.connect('redis://127.0.0.1:6379', {
      channelPrefix: `${realtimeEnv.HB_REDIS_PREFIX}:`,
    });
    const relayed: { record: { id: string } }[] = [];
    await bus.subscribe<{ record: { id: string } }>('record.changed', (event) => void relayed.push(event));
    const { stream, received } = await subscribedToPosts(replicaPorts[0]);
    try {
      const once = await root.collection('posts').create({ title: 'once' });
      await vi.waitFor(() => expect(received).toEqual(['once']), ARRIVAL);
      const event = await vi.waitFor(() => {
        const found = relayed.find((candidate) => candidate.record.id === once.id);
        if (!found) throw new Error('not relayed yet');
        return found;
      }, ARRIVAL);
      // Repeated before the next write, so it reaches the replica before that write's event.
      await bus.publish('record.changed', event);
      await root.collection('posts').create({ title: 'after' });
      await vi.waitFor(() => expect(received).toContain('after'), ARRIVAL);
      expect(received).toEqual(['once', 'after']);
    } finally {
      stream.close();
      await bus.close();
    }
  });

  it("reports each replica's connected clients on its own /api/health, while the gateway's stays PocketBase's", async () => {
    const [a, b] = replicaPorts;
    const health = async (url: string, token = '') => {
      const response = await fetch(`${url}/api/health`, { headers: token ? { authorization: token } : {} });
      expect(response.status).toBe(200);
      return (await response.json()) as { data: Record<string, unknown> };
    };
    const before = (await health(`http://127.0.0.1:${a}`)).data.realtime as { clients: number };
    const streams = [
      new EventSource(`http://127.0.0.1:${a}/api/realtime`),
      new EventSource(`http://127.0.0.1:${a}/api/realtime`),
    ];
    try {
      await Promise.all(
        streams.map((stream) => new Promise((resolve) => stream.addEventListener('PB_CONNECT', resolve))),
      );
      expect((await health(`http://127.0.0.1:${a}`)).data).toEqual({ realtime: { clients: before.clients + 2 } });
      expect((await health(`http://127.0.0.1:${b}`)).data).toEqual({ realtime: { clients: 0 } });
      // The public answer: nothing for a guest, PocketBase's three fields for a superuser.
      expect((await health(gateway)).data).toEqual({});
      expect(Object.keys((await health(gateway, root.authStore.token)).data).sort()).toEqual([
        'canBackup',
        'possibleProxyHeader',
        'realIP',
      ]);
    } finally {
      for (const stream of streams) stream.close();
    }
    await vi.waitFor(
      async () =>
        expect((await health(`http://127.0.0.1:${a}`)).data).toEqual({ realtime: { clients: before.clients } }),
      ARRIVAL,
    );
  });

  it('lets the SDK reconnect to the other replica when its replica is killed, and later events arrive', async () => {
    const [a, b] = replicaPorts;
    const proxyPort = await freePort();
    const proxy = switchableProxy(proxyPort, a);
    try {
      // The SDK talks to the proxy for realtime and to the gateway for everything else.
      const pb = new PocketBase(`http://127.0.0.1:${proxyPort}`);
      pb.autoCancellation(false);
      const titles: string[] = [];
      await pb.collection('posts').subscribe('*', (event) => titles.push(String(event.record.title)));
      await root.collection('posts').create({ title: 'before kill' });
      await vi.waitFor(() => expect(titles).toContain('before kill'), ARRIVAL);

      const replicaA = processes.find((p) => p.name === 'realtime');
      replicaA?.child.kill('SIGKILL');
      proxy.target.port = b;
      // Written until one arrives: the SDK resubscribes on its own after reconnecting.
      await vi.waitFor(
        async () => {
          await root.collection('posts').create({ title: 'after kill' });
          expect(titles).toContain('after kill');
        },
        { timeout: 20_000, interval: 500 },
      );
      await pb.realtime.unsubscribe();
    } finally {
      proxy.server.closeAllConnections();
      await new Promise((done) => proxy.server.close(done));
    }
  });
});
