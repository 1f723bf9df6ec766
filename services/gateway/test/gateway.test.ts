import { freePort, gatewayConfigSchema, listen, loadConfig } from '@hivebase/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGatewayApp } from '../src/create-gateway-app';
import { UPSTREAMS, type UpstreamName } from '../src/proxy/upstream-routes';
import { FakeUpstream, gate } from './fake-upstream';

const BODY_LIMIT = 1024;

/** What the fake upstream echoes back. */
interface Echo {
  upstream: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}
type ErrorBody = { data: Record<string, { code: string; message: string }>; message: string; status: number };

const echoOf = async (response: Response) => (await response.json()) as Echo;
const errorOf = async (response: Response) => (await response.json()) as ErrorBody;
const upstreams = Object.fromEntries(UPSTREAMS.map((name) => [name, new FakeUpstream(name)])) as Record<
  UpstreamName,
  FakeUpstream
>;
let app: NestFastifyApplication;
let base: string;
let urls: Record<UpstreamName, string>;

async function startGateway(env: Record<string, string>): Promise<{ app: NestFastifyApplication; base: string }> {
  const config = loadConfig(gatewayConfigSchema, { HB_MODE: 'distributed', LOG_LEVEL: 'silent', ...env });
  const gateway = await createGatewayApp(config);
  const port = await listen(gateway, '127.0.0.1', 0);
  return { app: gateway, base: `http://127.0.0.1:${port}` };
}

beforeAll(async () => {
  urls = Object.fromEntries(
    await Promise.all(UPSTREAMS.map(async (name) => [name, await upstreams[name].start()])),
  ) as Record<UpstreamName, string>;
  ({ app, base } = await startGateway({
    HB_UPSTREAM_COLLECTIONS: urls.collections,
    HB_UPSTREAM_AUTH: urls.auth,
    HB_UPSTREAM_FILES: urls.files,
    HB_UPSTREAM_REALTIME: urls.realtime,
    HB_BODY_LIMIT: String(BODY_LIMIT),
    HB_UPSTREAM_RESPONSE_TIMEOUT_MS: '500',
  }));
});
afterAll(async () => {
  await app?.close();
  await Promise.all(UPSTREAMS.map((name) => upstreams[name].stop()));
});
beforeEach(() => {
  for (const upstream of Object.values(upstreams)) {
    upstream.healthy = true;
    upstream.streamGate = gate();
    upstream.firstChunkWritten = gate();
  }
});

describe('gateway routing', () => {
  it.each([
    ['GET', '/api/collections/posts/records?filter=a%3D1&page=2', 'collections'],
    ['POST', '/api/collections/users/auth-with-password', 'auth'],
    ['GET', '/api/files/posts/r1/a.png?thumb=100x100', 'files'],
    ['DELETE', '/api/settings', 'collections'],
  ])('%s %s goes to %s with method, path and query intact', async (method, url, upstream) => {
    const response = await fetch(base + url, { method });
    expect(response.status).toBe(201);
    const echoed = await echoOf(response);
    expect(echoed).toMatchObject({ upstream, method, url });
  });

  it('forwards headers and the body byte for byte, and the upstream status and headers back', async () => {
    const body = JSON.stringify({ title: 'héllo', n: 1 });
    const response = await fetch(`${base}/api/collections/posts/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'token-1', 'x-custom': 'yes' },
      body,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-upstream')).toBe('collections');
    const echoed = await echoOf(response);
    expect(echoed.body).toBe(body);
    expect(echoed.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: 'token-1',
      'x-custom': 'yes',
    });
  });

  it('passes the request id through, or makes one up, and tells the upstream the client IP', async () => {
    const given = await fetch(`${base}/api/x`, { headers: { 'x-request-id': 'req-42' } });
    expect(given.headers.get('x-request-id')).toBe('req-42');
    expect((await echoOf(given)).headers['x-request-id']).toBe('req-42');

    const made = await fetch(`${base}/api/x`);
    const id = made.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await echoOf(made);
    expect(echoed.headers['x-request-id']).toBe(id);
    expect(echoed.headers['x-real-ip']).toBe('127.0.0.1');
    expect(echoed.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('answers paths nobody serves with a PocketBase 404', async () => {
    const response = await fetch(`${base}/nothing-here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ data: {}, message: "The requested resource wasn't found.", status: 404 });
  });

  it('allows any origin by default (CORS preflight)', async () => {
    const response = await fetch(`${base}/api/collections/posts/records`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PATCH' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('PATCH');
  });
});

describe('gateway streaming', () => {
  function readerOf(response: Response): ReadableStreamDefaultReader<Uint8Array> {
    if (!response.body) throw new Error(`no body (status ${response.status})`);
    return response.body.getReader();
  }

  async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, text: string): Promise<string> {
    let received = '';
    while (!received.includes(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      received += new TextDecoder().decode(value);
    }
    return received;
  }

  it("delivers a slow upstream's first chunk before the upstream has finished", async () => {
    const response = await fetch(`${base}/api/collections/stream`);
    const reader = readerOf(response);
    // The upstream is parked on its gate: this only resolves if the chunk was not buffered.
    expect(await readUntil(reader, 'first;')).toBe('first;');
    upstreams.collections.streamGate.open();
    expect(await readUntil(reader, 'second;')).toBe('second;');
  });

  it('streams server-sent events from /api/realtime as they come', async () => {
    const response = await fetch(`${base}/api/realtime`);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = readerOf(response);
    expect(await readUntil(reader, 'PB_CONNECT')).toContain('event:PB_CONNECT');
    upstreams.realtime.streamGate.open();
    expect(await readUntil(reader, 'posts/*')).toContain('event:posts/*');
  });
});

describe('gateway answers', () => {
  const large = Buffer.alloc(200 << 10, 'abcdefghij');
  const answers: [string, { status: number; headers: string[]; body?: Buffer }][] = [
    [
      'json',
      {
        status: 200,
        headers: ['content-type', 'application/json', 'content-length', '11'],
        body: Buffer.from('{"a":"bcd"}'),
      },
    ],
    ['typeless', { status: 200, headers: ['content-length', '3'], body: Buffer.from('raw') }],
    ['chunked', { status: 200, headers: ['content-type', 'text/plain'], body: Buffer.from('no length') }],
    ['empty', { status: 200, headers: ['content-type', 'text/plain', 'content-length', '0'] }],
    ['no-content', { status: 204, headers: ['x-kept', 'yes'] }],
    ['not-modified', { status: 304, headers: ['etag', '"v1"'] }],
    [
      'repeated',
      {
        status: 200,
        headers: ['set-cookie', 'a=1', 'set-cookie', 'b=2', 'content-type', 'text/plain', 'content-length', '2'],
        body: Buffer.from('ok'),
      },
    ],
    [
      'error',
      {
        status: 400,
        headers: ['content-type', 'application/json', 'content-length', '15'],
        body: Buffer.from('{"status":400} '),
      },
    ],
    [
      'download',
      {
        status: 200,
        headers: ['content-type', 'application/octet-stream', 'content-length', String(large.length)],
        body: large,
      },
    ],
  ];
  beforeAll(() => {
    for (const [name, answer] of answers) upstreams.files.canned.set(name, answer);
  });

  it.each(answers)('passes the %s answer on as the upstream gave it', async (name, answer) => {
    const response = await fetch(`${base}/api/files/canned/${name}`);
    expect(response.status).toBe(answer.status);
    for (let i = 0; i < answer.headers.length; i += 2) {
      const header = answer.headers[i];
      if (header === 'set-cookie') continue;
      expect(response.headers.get(header)).toBe(answer.headers[i + 1]);
    }
    if (!answer.headers.includes('content-type')) expect(response.headers.get('content-type')).toBeNull();
    if (answer.status === 204 || answer.status === 304) expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.getSetCookie()).toEqual(name === 'repeated' ? ['a=1', 'b=2'] : []);
    expect(Buffer.from(await response.arrayBuffer()).equals(answer.body ?? Buffer.alloc(0))).toBe(true);
  });

  it('answers HEAD with the length and type of the GET', async () => {
    const response = await fetch(`${base}/api/files/canned/json`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('11');
    expect(response.headers.get('content-type')).toBe('application/json');
  });
});

describe('gateway body limit', () => {
  it('refuses a declared body over the limit with a 413 without asking the upstream', async () => {
    const response = await fetch(`${base}/api/collections`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: 'x'.repeat(BODY_LIMIT) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ data: {}, message: 'Request Entity Too Large.', status: 413 });
  });

  it('cuts off a chunked body once it passes the limit', async () => {
    const chunk = new TextEncoder().encode('y'.repeat(400));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(`${base}/api/collections`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).message).toBe('Request Entity Too Large.');
  });

  it('passes a body just under the limit', async () => {
    const body = 'z'.repeat(BODY_LIMIT);
    const response = await fetch(`${base}/api/collections`, { method: 'POST', body });
    expect(response.status).toBe(201);
    expect((await echoOf(response)).body).toBe(body);
  });

  it('leaves record writes, batches and backup uploads to the collections service, which derives their limit', async () => {
    const body = 'w'.repeat(BODY_LIMIT + 1000);
    for (const [method, path] of [
      ['POST', '/api/collections/posts/records'],
      ['PATCH', '/api/collections/posts/records/abc'],
      ['POST', '/api/batch'],
      ['POST', '/api/backups/upload'],
    ]) {
      const response = await fetch(`${base}${path}`, { method, body });
      expect(response.status, path).toBeLessThan(300);
      expect((await echoOf(response)).body).toBe(body);
    }
  });
});

describe('gateway health and failing upstreams', () => {
  it('is healthy when every upstream is', async () => {
    const response = await fetch(`${base}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'API is healthy.', code: 200, data: {} });
  });

  it("takes data from the collections service, asked with the client's own headers plus its address", async () => {
    const response = await fetch(`${base}/api/health`, {
      headers: { authorization: 'token', 'cf-connecting-ip': '198.51.100.7', 'x-forwarded-for': '203.0.113.1' },
    });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: { upstream: string; headers: Record<string, string> } };
    expect(data.upstream).toBe('collections');
    expect(data.headers).toMatchObject({
      authorization: 'token',
      'cf-connecting-ip': '198.51.100.7',
      // The client's entry, then the one hop the service trusts and drops again.
      'x-forwarded-for': '203.0.113.1, 127.0.0.1',
    });
    expect(data.headers).not.toHaveProperty('x-real-ip');
  });

  it('answers 503 naming an unhealthy upstream', async () => {
    upstreams.files.healthy = false;
    const response = await fetch(`${base}/api/health`);
    expect(response.status).toBe(503);
    const body = await errorOf(response);
    expect(body).toMatchObject({ status: 503, message: 'Unhealthy upstream: files.' });
    expect(Object.keys(body.data)).toEqual(['files']);
  });

  it('answers 504 when an upstream does not respond in time', async () => {
    const response = await fetch(`${base}/api/collections/hang`);
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ data: {}, message: 'Gateway Timeout.', status: 504 });
  });

  it.each([
    ['POST', '/api/backups/hang'],
    ['POST', '/api/sql/hang'],
    ['PUT', '/api/collections/import/hang'],
  ])(
    'waits past the response timeout for %s %s (backups, SQL, imports run within the request)',
    async (method, url) => {
      const answer = fetch(base + url, { method });
      await new Promise((done) => setTimeout(done, 1_000)); // twice the configured timeout
      upstreams.collections.streamGate.open();
      const response = await answer;
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('late');
    },
  );

  describe('with an upstream that is down', () => {
    let down: { app: NestFastifyApplication; base: string };
    beforeAll(async () => {
      const closedPort = await freePort();
      down = await startGateway({
        HB_UPSTREAM_COLLECTIONS: urls.collections,
        HB_UPSTREAM_AUTH: `http://127.0.0.1:${closedPort}`,
        HB_UPSTREAM_FILES: `http://127.0.0.1:${closedPort}`,
        HB_UPSTREAM_REALTIME: `http://127.0.0.1:${closedPort}`,
      });
    });
    afterAll(() => down.app.close());

    it('answers its routes with a PocketBase-shaped 503', async () => {
      const response = await fetch(`${down.base}/api/realtime`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ data: {}, message: 'Service Unavailable.', status: 503 });
    });

    it('reports the down services in health', async () => {
      const response = await fetch(`${down.base}/api/health`);
      expect(response.status).toBe(503);
      const body = await errorOf(response);
      expect(Object.keys(body.data).sort()).toEqual(['auth', 'files', 'realtime']);
      expect(body.data.auth.code).toBe('upstream_unreachable');
    });
  });
});
