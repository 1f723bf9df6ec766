import { connect } from 'node:net';
import { Writable } from 'node:stream';
import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  Module,
  NotFoundException,
  Param,
  Post,
  Query,
  UnauthorizedException,
} from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badRequest, tooManyRequests } from '../src/errors/api-error';
import { createHttpApp, listen } from '../src/http/create-http-app';
import { LoggingModule } from '../src/logging/logging.module';

/** Collects pino's JSON lines. */
class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split('\n').filter(Boolean)) this.lines.push(JSON.parse(line));
    done();
  }
}

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
const slow = { started: deferred(), release: deferred() };

@Controller('t')
class ThrowingController {
  @Get('field-error')
  fieldError() {
    throw badRequest('Failed to create record.', {
      title: { code: 'validation_required', message: 'Missing required value.' },
    });
  }
  @Get('bad-request')
  badRequest() {
    throw badRequest();
  }
  @Get('nest-not-found')
  nestNotFound() {
    throw new NotFoundException('Cannot find the thing');
  }
  @Get('nest-forbidden')
  nestForbidden() {
    throw new ForbiddenException();
  }
  @Get('nest-unauthorized')
  nestUnauthorized() {
    throw new UnauthorizedException();
  }
  @Get('limited')
  limited() {
    throw tooManyRequests();
  }
  @Get('crash')
  crash() {
    throw new Error('secret: db password is hunter2');
  }
  @Get('item/:id')
  item(@Param('id') id: string) {
    return { length: id.length };
  }
  @Get('query')
  query(@Query() query: unknown) {
    return { query };
  }
  @Post('echo')
  echo(@Body() body: unknown) {
    return { body };
  }
  @Get('slow')
  async slow() {
    slow.started.resolve();
    await slow.release.promise;
    return { finished: true };
  }
}

/** Stands in for the realtime service's stream and subscribe routes. */
@Controller('api/realtime')
class StreamController {
  @Get()
  stream() {
    return { streaming: true };
  }
  @Post()
  subscribe() {
    return { subscribed: true };
  }
}

const logs = new LogCapture();

@Module({
  imports: [LoggingModule.forRoot({ logLevel: 'info', logPretty: false }, 'test', logs)],
  controllers: [ThrowingController, StreamController],
})
class TestModule {}

const config = { bodyLimit: 1024, shutdownTimeoutMs: 5_000 };

describe('the shared HTTP app', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createHttpApp(TestModule, { config });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  it.each([
    [
      '/t/field-error',
      400,
      {
        data: { title: { code: 'validation_required', message: 'Missing required value.' } },
        message: 'Failed to create record.',
        status: 400,
      },
    ],
    ['/t/bad-request', 400, { data: {}, message: 'Something went wrong while processing your request.', status: 400 }],
    ['/t/nest-not-found', 404, { data: {}, message: "The requested resource wasn't found.", status: 404 }],
    ['/t/nest-forbidden', 403, { data: {}, message: 'You are not allowed to perform this request.', status: 403 }],
    ['/t/nest-unauthorized', 401, { data: {}, message: 'Missing or invalid authentication.', status: 401 }],
    ['/t/limited', 429, { data: {}, message: 'Too Many Requests.', status: 429 }],
    ['/no/such/route', 404, { data: {}, message: "The requested resource wasn't found.", status: 404 }],
  ])('%s answers %i in PocketBase shape', async (url, status, body) => {
    const response = await get(url);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.json()).toEqual(body);
    // Key order as PocketBase's Go struct: data, message, status.
    expect(Object.keys(response.json())).toEqual(['data', 'message', 'status']);
  });

  it('hides an unexpected error behind a generic 500 and logs its cause with the request id', async () => {
    const response = await get('/t/crash', { 'x-request-id': 'crash-1' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      data: {},
      message: 'Something went wrong while processing your request.',
      status: 500,
    });
    expect(response.body).not.toContain('hunter2');
    const logged = logs.lines.find((line) => line.level === 50 && JSON.stringify(line).includes('hunter2'));
    expect(logged).toBeDefined();
    expect(logged?.reqId).toBe('crash-1');
  });

  it('answers malformed JSON with a 400, not a 500', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/t/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ data: {}, status: 400 });
  });

  it('rejects a body over the limit with a 413', async () => {
    const response = await app.inject({ method: 'POST', url: '/t/echo', payload: { big: 'x'.repeat(2048) } });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ data: {}, message: 'Request Entity Too Large.', status: 413 });
  });

  it('parses a body within the limit', async () => {
    const response = await app.inject({ method: 'POST', url: '/t/echo', payload: { a: 1 } });
    expect(response.json()).toEqual({ body: { a: 1 } });
  });

  it('keeps a caller-given request id, echoes it, and puts it on the log lines', async () => {
    const response = await get('/t/bad-request', { 'x-request-id': 'abc-123' });
    expect(response.headers['x-request-id']).toBe('abc-123');
    expect(logs.lines.some((line) => line.reqId === 'abc-123')).toBe(true);
  });

  it('binds no request logger to a realtime stream (it would be kept per idle connection), but does to the rest', async () => {
    await get('/api/realtime', { 'x-request-id': 'stream-1' });
    await app.inject({ method: 'POST', url: '/api/realtime', headers: { 'x-request-id': 'subscribe-1' } });
    expect(logs.lines.some((line) => line.reqId === 'stream-1')).toBe(false);
    expect(logs.lines.some((line) => line.reqId === 'subscribe-1')).toBe(true);
  });

  it('makes up a request id when none (or a hostile one) is given', async () => {
    const plain = await get('/t/bad-request');
    const hostile = await get('/t/bad-request', { 'x-request-id': 'a b\u0001<script>' });
    expect(plain.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** Sends raw bytes to `port` and resolves with everything the server answers before closing. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('hostile requests at the HTTP layer', () => {
  let app: NestFastifyApplication;
  let port = 0;
  beforeAll(async () => {
    app = await createHttpApp(TestModule, { config });
    port = await listen(app, '127.0.0.1', 0);
  });
  afterAll(() => app.close());

  it('reads a repeated query key as its first value, as PocketBase (never a list)', async () => {
    const response = await app.inject({ method: 'GET', url: '/t/query?filter=a&filter=b&sort=x&__proto__=p' });
    expect(response.json()).toEqual({ query: { filter: 'a', sort: 'x', ['__proto__']: 'p' } });
  });

  it('hands a path parameter of any length to the route (a 5000-character id is looked up, not refused)', async () => {
    const response = await app.inject({ method: 'GET', url: `/t/item/${'x'.repeat(5000)}` });
    expect(response.json()).toEqual({ length: 5000 });
  });

  it('sends Cross-Origin-Opener-Policy on every response, errors included', async () => {
    for (const url of ['/t/query', '/t/bad-request', '/no/such/route']) {
      expect((await app.inject({ method: 'GET', url })).headers['cross-origin-opener-policy']).toBe('same-origin');
    }
  });

  it('answers a malformed URL with a PocketBase-shaped 400', async () => {
    const answer = await rawRequest(port, 'GET /t/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      data: {},
      message: 'Something went wrong while processing your request.',
      status: 400,
    });
  });

  it('answers an over-long header block with a PocketBase-shaped 431', async () => {
    const answer = await rawRequest(
      port,
      `GET /t/query HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      data: {},
      message: 'Request Header Fields Too Large.',
      status: 431,
    });
  });

  it('answers a malformed request line with a PocketBase-shaped 400', async () => {
    const answer = await rawRequest(port, 'NOT A REQUEST\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ data: {}, status: 400 });
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    const app = await createHttpApp(TestModule, { config });
    const port = await listen(app, '127.0.0.1', 0);
    const inFlight = fetch(`http://127.0.0.1:${port}/t/slow`);
    await slow.started.promise;
    let closed = false;
    const closing = app.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false); // still draining the in-flight request
    slow.release.resolve();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ finished: true });
    await closing;
    await expect(fetch(`http://127.0.0.1:${port}/t/bad-request`)).rejects.toThrow();
  });
});

describe('empty bodies', () => {
  it('accepts a body-less request labelled as JSON, as the SDK sends DELETEs', async () => {
    const app = await createHttpApp(TestModule, { config });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const response = await app.inject({
      method: 'POST',
      url: '/t/echo',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(201);
    await app.close();
  });
});
