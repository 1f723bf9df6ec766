import { createServer, type Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { processMetrics } from './metrics';

export interface MetricsServerOptions {
  host: string;
  port: number;
  /** Readiness: resolves true when the process can serve (its health checks pass). */
  ready: () => Promise<boolean>;
}

/**
 * The operators' listener, apart from the API port so it is never reachable through the public
 * gateway: `GET /metrics` (Prometheus text), `GET /livez` (the process answers: 200) and
 * `GET /readyz` (its dependencies answer: 200, else 503). `/api/health` stays PocketBase's.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<Server> {
  const { registry } = processMetrics();
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    const answer = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, 'method not allowed\n');
    if (path === '/livez') return answer(200, 'ok\n');
    if (path === '/readyz') {
      options.ready().then(
        (ready) => answer(ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n'),
        () => answer(503, 'not ready\n'),
      );
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => answer(200, text, registry.contentType),
        (error: unknown) => answer(500, `${(error as Error).message}\n`),
      );
      return;
    }
    answer(404, 'not found\n');
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => done());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  new Logger('metrics').log(`metrics on http://${options.host}:${port}/metrics`);
  return server;
}
