import { Readable } from 'node:stream';
import { ApiError, type GatewayConfig, notFound, sendApiError } from '@hivebase/platform';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { BodyLimitStream, bodyTooLarge } from './body-limit';
import { exchange, type UpstreamExchange, type UpstreamResponse } from './upstream-exchange';
import type { UpstreamPool, UpstreamTarget } from './upstream-pool';
import type { UpstreamPools } from './upstream-pools';
import { upstreamFor } from './upstream-routes';

// OPTIONS is answered by the CORS plugin, as PocketBase answers preflights itself.
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Bodies up to this size are read whole before forwarding, so a request can be sent again to
 * another replica when the first one refused the connection or was closing. Larger ones (file
 * uploads) stream through and are never replayed.
 */
export const REPLAYABLE_BODY_BYTES = 1024 * 1024;

// Headers that describe one connection, not the request: each hop sets its own.
const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);

// Nothing was sent: any request may go to another replica.
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
// The connection broke after the request went out: only a read is safe to repeat.
const CONNECTION_LOST = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
const SAFE_METHODS = new Set(['GET', 'HEAD']);

type ForwardBody = Buffer | Readable | undefined;

/**
 * Forwards every request the gateway does not answer itself to a replica of the service that
 * owns it. Small bodies travel whole, large or unsized ones stream both ways (SSE included: no
 * body timeout, no buffering). Replicas are picked by fewest pending requests; a replica that refuses the
 * connection or answers "closing" is skipped and the request goes to another when that is safe.
 */
export async function registerProxy(
  fastify: FastifyInstance,
  config: GatewayConfig,
  pools: UpstreamPools,
): Promise<void> {
  await Promise.all(Object.values(pools).map((pool) => pool.start()));
  fastify.addHook('onClose', async () => {
    await Promise.all(Object.values(pools).map((pool) => pool.close()));
  });

  await fastify.register(async (proxy) => {
    // This context is registered before Nest installs its error handler, so it needs its own.
    const logger = new Logger('proxy');
    proxy.setErrorHandler((error, request, reply) => sendApiError(error, request, reply, logger));

    // Keep bodies raw: the owning service parses them.
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser('*', (request, payload, done) => {
      const limit = bodyLimitOf(request, config.bodyLimit);
      const length = request.headers['content-length'];
      const declared = Number(length);
      if (declared > limit) return done(bodyTooLarge(), undefined);
      if (length !== undefined && declared <= REPLAYABLE_BODY_BYTES) {
        readWhole(payload, limit).then(
          (body) => done(null, body),
          (error: Error) => done(error, undefined),
        );
        return;
      }
      done(null, payload.pipe(new BodyLimitStream(limit)));
    });

    proxy.route({
      method: [...METHODS],
      url: '/*',
      handler: (request, reply) => {
        const path = request.url.split('?', 1)[0];
        const upstream = upstreamFor(path);
        if (!upstream) throw notFound();
        return forward(request, reply, pools[upstream]);
      },
    });
  });
}

// Work PocketBase does within the request and that may outlast the usual response timeout: SQL
// console queries (their own statement timeout, 3 minutes by default), backups and restores,
// collection imports. They get this long for their answer instead.
const SLOW_ROUTE = /^\/api\/(?:sql|backups|collections\/import)(?:[/?]|$)/;
const SLOW_ROUTE_RESPONSE_TIMEOUT_MS = 30 * 60_000;

// Record writes and batches: the collections service derives their limit from the collection's
// fields or the batch settings, as PocketBase, and enforces it while the body streams in. Backup
// uploads have no limit (PocketBase's `BodyLimit(0)`).
const SERVICE_LIMITED = /^\/api\/(?:collections\/[^/?]+\/records(?:\/[^/?]+)?|batch|backups\/upload)\/?(?:\?|$)/;

function bodyLimitOf(request: FastifyRequest, limit: number): number {
  const write = request.method === 'POST' || request.method === 'PATCH';
  return write && SERVICE_LIMITED.test(request.url) ? Number.POSITIVE_INFINITY : limit;
}

function readWhole(payload: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    payload.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        payload.destroy();
        reject(bodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    payload.once('end', () => resolve(Buffer.concat(chunks)));
    payload.once('error', reject);
  });
}

// The client's values of these are replaced by the gateway's own (below).
const REPLACED = new Set(['x-request-id', 'x-real-ip', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

/**
 * The request's headers as the chosen replica gets them: the client's own, in their order and
 * spelling (straight from the raw list, no object built), plus what the replica needs to know
 * about the client. A buffered body's length is undici's to write.
 */
function forwardedHeaders(request: FastifyRequest, target: UpstreamTarget, ip: string, buffered: boolean): string[] {
  const raw = request.raw.rawHeaders;
  const headers: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(name) || REPLACED.has(name) || (buffered && name === 'content-length')) continue;
    headers.push(raw[i], raw[i + 1]);
  }
  const previous = request.headers['x-forwarded-for'];
  headers.push(
    'host',
    target.host,
    'x-request-id',
    request.id,
    'x-real-ip',
    ip,
    'x-forwarded-for',
    previous ? `${previous}, ${ip}` : ip,
    'x-forwarded-proto',
    request.protocol,
    'x-forwarded-host',
    request.headers.host ?? '',
  );
  return headers;
}

function errorCode(error: unknown): string {
  const { code, cause } = error as { code?: unknown; cause?: { code?: unknown } };
  return String(cause?.code ?? code ?? '');
}

/** Fastify's own answer while a replica closes (`return503OnClosing`): nothing of the request ran. */
function isClosingAnswer(response: UpstreamResponse): boolean {
  return (
    response.statusCode === 503 &&
    response.headers.connection === 'close' &&
    Buffer.isBuffer(response.body) &&
    response.body.toString('latin1', 0, 32).startsWith('{"error":"Service Unavailable"')
  );
}

class ClientGone extends Error {
  constructor() {
    super('the client closed the connection');
  }
}

async function forward(request: FastifyRequest, reply: FastifyReply, pool: UpstreamPool): Promise<FastifyReply> {
  const body = request.body as ForwardBody;
  const buffered = Buffer.isBuffer(body);
  const replayable = body === undefined || buffered;
  const ip = request.ip;
  const slow = SLOW_ROUTE.test(request.url);
  const tried = new Set<UpstreamTarget>();
  let current: UpstreamExchange | null = null;
  let clientGone = false;
  reply.raw.once('close', () => {
    if (reply.raw.writableFinished) return;
    clientGone = true;
    current?.abort(new ClientGone());
  });

  for (;;) {
    const target = pool.pick(tried);
    if (!target)
      return sendUpstreamFailure(request, reply, pool.name, tried.size === 0 ? 'no address' : 'ECONNREFUSED');
    tried.add(target);
    // An open stream (SSE) counts until it ends, so long-lived clients spread out too.
    target.pending++;
    current = exchange(
      target.dispatcher,
      {
        path: request.url,
        method: request.method as Dispatcher.HttpMethod,
        headers: forwardedHeaders(request, target, ip, buffered),
        body: body ?? null,
        headersTimeout: slow ? SLOW_ROUTE_RESPONSE_TIMEOUT_MS : undefined,
      },
      () => target.pending--,
    );
    if (clientGone) current.abort(new ClientGone());
    let response: UpstreamResponse;
    try {
      response = await current.response;
    } catch (error) {
      const code = errorCode(error);
      const again =
        !clientGone &&
        ((NOT_CONNECTED.has(code) && replayable) || (CONNECTION_LOST.has(code) && SAFE_METHODS.has(request.method)));
      if (NOT_CONNECTED.has(code) || CONNECTION_LOST.has(code)) pool.eject(target, code);
      if (again) continue;
      return sendUpstreamFailure(request, reply, pool.name, error);
    }

    if (isClosingAnswer(response)) {
      pool.eject(target, 'closing');
      if (replayable && !clientGone) continue;
      return sendUpstreamFailure(request, reply, pool.name, 'ECONNREFUSED');
    }

    target.served++;
    const headers = response.headers;
    // A replica adds this to every answer once it is shutting down: send it nothing new.
    if (headers.connection === 'close') pool.eject(target, 'closing');
    reply.status(response.statusCode);
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined && !HOP_BY_HOP.has(name)) reply.header(name, value);
    }
    const answer = response.body;
    if (!Buffer.isBuffer(answer)) return reply.send(answer);
    // Nothing to send (HEAD, 204, 304): Fastify keeps the replica's length and type as they are.
    if (answer.length === 0) return reply.send();
    // Fastify would label a typeless buffer `application/octet-stream`: send it as the stream it was.
    return reply.send(headers['content-type'] === undefined ? Readable.from([answer]) : answer);
  }
}

/** Upstream failures in PocketBase's error shape: down → 503, too slow → 504, else 502. */
function sendUpstreamFailure(
  request: FastifyRequest,
  reply: FastifyReply,
  upstream: string,
  failure: unknown,
): FastifyReply {
  const cause = (failure as { cause?: unknown }).cause ?? failure;
  if (failure instanceof ApiError) return reply.status(failure.status).send(failure.toBody());
  if (cause instanceof ApiError) return reply.status(cause.status).send(cause.toBody());
  const code = typeof failure === 'string' ? failure : errorCode(failure);
  const status = /TIMEOUT/.test(code)
    ? 504
    : /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|no address/.test(code)
      ? 503
      : 502;
  request.log.warn(
    { err: typeof failure === 'string' ? undefined : cause, upstream, status },
    'upstream request failed',
  );
  return reply.status(status).type('application/json').send(new ApiError(status).toBody());
}
