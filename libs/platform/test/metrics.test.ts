import { Controller, Get, Module, Param } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp, listen } from '../src/http/create-http-app';
import { LoggingModule } from '../src/logging/logging.module';
import { processMetrics } from '../src/metrics/metrics';
import { freePort } from '../src/net/free-port';

@Controller('api/probe')
class ProbeController {
  @Get(':id')
  one(@Param('id') id: string) {
    return { id };
  }
}

@Module({
  imports: [LoggingModule.forRoot({ logLevel: 'silent', logPretty: false }, 'metrics-test')],
  controllers: [ProbeController],
})
class ProbeModule {}

// The operators' listener: Prometheus text on its own port, by route template; liveness and readiness.
describe('metrics listener', () => {
  let app: NestFastifyApplication;
  let api = '';
  let ops = '';

  beforeAll(async () => {
    const metricsPort = await freePort();
    app = await createHttpApp(ProbeModule, {
      config: {
        bodyLimit: 1024,
        shutdownTimeoutMs: 1000,
        metricsHttp: { host: '127.0.0.1', port: metricsPort },
      },
    });
    api = `http://127.0.0.1:${await listen(app, '127.0.0.1', 0)}`;
    ops = `http://127.0.0.1:${metricsPort}`;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('counts requests by route template and status, never by raw path', async () => {
    for (const id of ['a', 'b', 'c']) expect((await fetch(`${api}/api/probe/${id}`)).status).toBe(200);
    expect((await fetch(`${api}/api/nothing/here`)).status).toBe(404);
    const scrape = await fetch(`${ops}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const text = await scrape.text();
    expect(text).toContain('hb_http_requests_total{method="GET",route="/api/probe/:id",status="200"} 3');
    expect(text).toMatch(
      /hb_http_request_duration_seconds_count\{method="GET",route="\/api\/probe\/:id",status="200"\} 3/,
    );
    expect(text).toContain('status="404"');
    expect(text).not.toContain('/api/probe/a');
    expect(text).toContain('hb_process_cpu_seconds_total');
  });

  it('answers liveness and readiness apart, and nothing else', async () => {
    expect((await fetch(`${ops}/livez`)).status).toBe(200);
    expect((await fetch(`${ops}/readyz`)).status).toBe(200);
    expect((await fetch(`${ops}/nope`)).status).toBe(404);
    expect((await fetch(`${ops}/metrics`, { method: 'POST' })).status).toBe(405);
    // The API port does not serve the metrics.
    expect((await fetch(`${api}/metrics`)).status).toBe(404);
  });

  it('reads gauges when scraped, and a failing source keeps the scrape alive', async () => {
    let value = 7;
    processMetrics().gauge({ name: 'hb_test_gauge', help: 'test', collect: (gauge) => gauge.set(value) });
    processMetrics().gauge({
      name: 'hb_test_broken',
      help: 'test',
      collect: () => {
        throw new Error('source away');
      },
    });
    expect(await (await fetch(`${ops}/metrics`)).text()).toContain('hb_test_gauge 7');
    value = 9;
    const text = await (await fetch(`${ops}/metrics`)).text();
    expect(text).toContain('hb_test_gauge 9');
    expect(text).toContain('hb_test_broken');
  });
});
