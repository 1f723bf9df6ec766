import { freePort, gatewayConfigSchema, listen, loadConfig } from '@hivebase/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayApp } from '../src/create-gateway-app';
import { UPSTREAMS, type UpstreamName } from '../src/proxy/upstream-routes';
import { FakeUpstream } from './fake-upstream';

// The gateway's metrics: on their own listener, proxied paths counted under route templates.
describe('gateway metrics', () => {
  const upstreams = Object.fromEntries(UPSTREAMS.map((name) => [name, new FakeUpstream(name)])) as Record<
    UpstreamName,
    FakeUpstream
  >;
  let app: NestFastifyApplication;
  let base = '';
  let ops = '';

  beforeAll(async () => {
    const urls = Object.fromEntries(
      await Promise.all(UPSTREAMS.map(async (name) => [name, await upstreams[name].start()])),
    ) as Record<UpstreamName, string>;
    const metricsPort = await freePort();
    const config = loadConfig(gatewayConfigSchema, {
      HB_MODE: 'distributed',
      LOG_LEVEL: 'silent',
      HB_UPSTREAM_COLLECTIONS: urls.collections,
      HB_UPSTREAM_AUTH: urls.auth,
      HB_UPSTREAM_FILES: urls.files,
      HB_UPSTREAM_REALTIME: urls.realtime,
      HB_METRICS_HTTP: `127.0.0.1:${metricsPort}`,
    });
    app = await createGatewayApp(config);
    base = `http://127.0.0.1:${await listen(app, '127.0.0.1', 0)}`;
    ops = `http://127.0.0.1:${metricsPort}`;
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all(UPSTREAMS.map((name) => upstreams[name].stop()));
  });

  it('counts proxied requests by route template and the upstream’s status, not by path', async () => {
    for (const id of ['r1', 'r2']) await fetch(`${base}/api/collections/posts/records/${id}`);
    await fetch(`${base}/api/files/posts/r1/a.png`);
    const text = await (await fetch(`${ops}/metrics`)).text();
    expect(text).toContain(
      'hb_http_requests_total{method="GET",route="/api/collections/:collection/records/:id",status="201"} 2',
    );
    expect(text).toContain('route="/api/files/:collection/:record/:filename"');
    expect(text).not.toContain('/records/r1');
    // The public port never serves them (the proxy takes unknown paths elsewhere, never to metrics).
    expect(await (await fetch(`${base}/metrics`)).text()).not.toContain('hb_http_requests_total');
    expect((await fetch(`${ops}/livez`)).status).toBe(200);
  });
});
