import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/**
 * A real HTTP server standing in for one Hivebase service: it echoes requests, streams on
 * command, and can be made unhealthy, so the gateway is tested over real sockets.
 */
export class FakeUpstream {
  healthy = true;
  /** Answers as a Fastify server that is shutting down (`return503OnClosing`). */
  closing = false;
  /** Requests that reached it (health checks aside). */
  served = 0;
  /** Opened by a test to let the streaming routes finish. */
  streamGate = gate();
  /** Resolves when the streaming route has written its first chunk. */
  firstChunkWritten = gate();
  /** Answers given as they are at `…/canned/<name>`: status, raw header pairs (flat) and body. */
  canned = new Map<string, { status: number; headers: string[]; body?: Buffer }>();
  private server: Server;

  constructor(readonly name: string) {
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  async start(host = '127.0.0.1', port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: import('node:http').ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (this.closing) {
      response.writeHead(503, { 'content-type': 'application/json', connection: 'close' });
      response.end('{"error":"Service Unavailable","message":"Service Unavailable","statusCode":503}');
      return;
    }
    if (path !== '/api/health') this.served++;
    if (path === '/api/health') {
      response.writeHead(this.healthy ? 200 : 503, { 'content-type': 'application/json' });
      // A superuser's health details come from the service: echo what reached it to check the forwarding.
      const data = request.headers.authorization ? { upstream: this.name, headers: request.headers } : {};
      response.end(JSON.stringify({ message: 'API is healthy.', code: 200, data }));
      return;
    }
    if (path.endsWith('/stream') || path === '/api/realtime') {
      const sse = path === '/api/realtime';
      response.writeHead(
        200,
        sse ? { 'content-type': 'text/event-stream', 'cache-control': 'no-store' } : { 'content-type': 'text/plain' },
      );
      response.write(sse ? 'id:c1\nevent:PB_CONNECT\ndata:{"clientId":"c1"}\n\n' : 'first;');
      this.firstChunkWritten.open();
      await this.streamGate.opened;
      response.end(sse ? 'id:c1\nevent:posts/*\ndata:{"action":"create"}\n\n' : 'second;');
      return;
    }
    const at = path.indexOf('/canned/');
    const canned = at >= 0 ? this.canned.get(path.slice(at + '/canned/'.length)) : undefined;
    if (canned) {
      response.writeHead(canned.status, canned.headers);
      response.end(canned.body);
      return;
    }
    if (path.endsWith('/hang')) {
      await this.streamGate.opened;
      response.end('late');
      return;
    }
    const body = await readBody(request);
    response.writeHead(201, { 'content-type': 'application/json', 'x-upstream': this.name });
    response.end(
      JSON.stringify({ upstream: this.name, method: request.method, url: request.url, headers: request.headers, body }),
    );
  }
}
