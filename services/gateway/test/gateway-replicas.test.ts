import { freePort, gatewayConfigSchema, listen, loadConfig } from '@hivebase/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayApp } from '../src/create-gateway-app';
import type { Resolver } from '../src/proxy/upstream-pool';
import { FakeUpstream, gate } from './fake-upstream';

interface Echo {
  upstream: string;
  method: string;
  body: string;
}

const others = {
  auth: new FakeUpstream('auth'),
  files: new FakeUpstream('files'),
  realtime: new FakeUpstream('realtime'),
};
const replicas = [new FakeUpstream('one'), new FakeUpstream('two')];
let otherUrls: Record<keyof typeof others, string>;
let gateway: { app: NestFastifyApplication; base: string } | undefined;

async function startGateway(collections: string, resolve?: Resolver): Promise<string> {
  const config = loadConfig(gatewayConfigSchema, {
    HB_MODE: 'distributed',
    LOG_LEVEL: 'silent',
    HB_UPSTREAM_COLLECTIONS: collections,
    HB_UPSTREAM_AUTH: otherUrls.auth,
    HB_UPSTREAM_FILES: otherUrls.files,
    HB_UPSTREAM_REALTIME: otherUrls.realtime,
    HB_UPSTREAM_RESOLVE_MS: '50',
    HB_UPSTREAM_HEALTH_INTERVAL_MS: '50',
  });
  const app = await createGatewayApp(config, resolve);
  const port = await listen(app, '127.0.0.1', 0);
  gateway = { app, base: `http://127.0.0.1:${port}` };
  return gateway.base;
}

/** Sends `count` requests one after the other; returns which replica answered each. */
async function servedBy(base: string, count: number, init: RequestInit = {}): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${base}/api/collections/posts/records`, init);
    expect(response.status).toBe(201);
    names.push(((await response.json()) as Echo).upstream);
  }
  return names;
}

const share = (names: string[], name: string) => names.filter((n) => n === name).length / names.length;

/** Repeats `probe` until it holds (each check is a real request, so no fixed sleeps). */
async function eventually(probe: () => Promise<boolean>, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await probe()) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error('condition never held');
}

beforeAll(async () => {
  otherUrls = {
    auth: await others.auth.start(),
    files: await others.files.start(),
    realtime: await others.realtime.start(),
  };
});
afterEach(async () => {
  await gateway?.app.close();
  gateway = undefined;
  for (const replica of replicas) {
    replica.healthy = true;
    replica.closing = false;
    replica.streamGate.open();
    replica.streamGate = gate();
  }
});
afterAll(async () => {
  await Promise.all([...Object.values(others), ...replicas].map((upstream) => upstream.stop().catch(() => undefined)));
});

describe('gateway with two replicas of a service', () => {
  let urls: string[];
  beforeAll(async () => {
    urls = [await replicas[0].start(), await replicas[1].start()];
  });

  it('spreads requests over replicas listed comma-separated', async () => {
    const base = await startGateway(urls.join(','));
    const names = await servedBy(base, 40);
    expect(share(names, 'one')).toBeGreaterThanOrEqual(0.35);
    expect(share(names, 'two')).toBeGreaterThanOrEqual(0.35);
  });

  it('sends new requests to the replica with fewer pending ones (an open stream counts)', async () => {
    const base = await startGateway(urls.join(','));
    const before = replicas.map((replica) => replica.served);
    const stream = await fetch(`${base}/api/collections/posts/stream`);
    expect(stream.status).toBe(200);
    const holder = replicas.findIndex((replica, at) => replica.served > before[at]);
    expect(holder).toBeGreaterThanOrEqual(0);
    // While the stream stays open, its replica has one pending and the other none.
    expect(await servedBy(base, 10)).toEqual(Array(10).fill(replicas[1 - holder].name));
    await stream.body?.cancel();
  });

  it('frees the replica of a stream the client walked away from', async () => {
    const base = await startGateway(urls.join(','));
    const stream = await fetch(`${base}/api/collections/posts/stream`);
    const reader = stream.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    // Once the gateway has let go of the stream, both replicas are equal again and share the work.
    await eventually(async () => new Set(await servedBy(base, 6)).size === 2);
  });

  it('retries a POST on the other replica when one is down, and fails none', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const base = await startGateway(`${down},${urls[1]}`);
    const names = await servedBy(base, 10, { method: 'POST', body: '{"title":"x"}' });
    expect(names).toEqual(Array(10).fill('two'));
  });

  it('sends a request again to another replica when the first answers that it is closing', async () => {
    const base = await startGateway(urls.join(','));
    replicas[0].closing = true;
    const before = replicas[1].served;
    const names = await servedBy(base, 6, { method: 'POST', body: '{"title":"replayed"}' });
    expect(names).toEqual(Array(6).fill('two'));
    expect(replicas[1].served - before).toBe(6);
  });

  it('gives a replica that fails its health check no requests until it recovers', async () => {
    const base = await startGateway(urls.join(','));
    replicas[0].healthy = false;
    await eventually(async () => (await servedBy(base, 6)).every((name) => name === 'two'));
    // Once out of rotation it stays out while it is unhealthy.
    expect(await servedBy(base, 10)).toEqual(Array(10).fill('two'));
    replicas[0].healthy = true;
    await eventually(async () => (await servedBy(base, 6)).includes('one'));
  });
});

describe('gateway with a service name that resolves to several addresses', () => {
  const byAddress = [new FakeUpstream('first'), new FakeUpstream('second')];
  let port = 0;
  let addresses: string[] = [];
  const resolver: Resolver = async (hostname) => {
    if (hostname !== 'collections.test') throw Object.assign(new Error('no such host'), { code: 'ENOTFOUND' });
    return addresses;
  };

  beforeAll(async () => {
    port = await freePort();
    await byAddress[0].start('127.0.0.1', port);
    await byAddress[1].start('127.0.0.2', port);
  });
  afterAll(async () => {
    await Promise.all(byAddress.map((upstream) => upstream.stop()));
  });

  it('uses every address, follows the name as replicas leave and join, and keeps the Host', async () => {
    addresses = ['127.0.0.1', '127.0.0.2'];
    const base = await startGateway(`http://collections.test:${port}`, resolver);
    const names = await servedBy(base, 20);
    expect(share(names, 'first')).toBeGreaterThanOrEqual(0.35);
    expect(share(names, 'second')).toBeGreaterThanOrEqual(0.35);

    const response = await fetch(`${base}/api/collections/posts/records`);
    expect(((await response.json()) as { headers: Record<string, string> }).headers.host).toBe(
      `collections.test:${port}`,
    );

    addresses = ['127.0.0.2'];
    await eventually(async () => (await servedBy(base, 6)).every((name) => name === 'second'));
    addresses = ['127.0.0.1', '127.0.0.2'];
    await eventually(async () => (await servedBy(base, 6)).includes('first'));
  });
});
