import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { ApiError, type GatewayConfig, notFound, sendApiError } from '@hivebase/platform';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { MAX_LOGGED_ERROR_BODY } from '../logs/request-log';
import { BodyLimitStream, bodyTooLarge } from './body-limit';
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
 * owns it, with bodies and responses streamed both ways (SSE included: no body timeout, no
 * buffering). Replicas are picked by fewest pending requests; a replica that refuses the
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

/** The request as the chosen replica gets it: the client's headers plus what it needs to know about the client. */
function forwardedHeaders(request: FastifyRequest, target: UpstreamTarget, body: ForwardBody): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
  }
  if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
  const previous = request.headers['x-forwarded-for'];
  return {
    ...headers,
    host: target.host,
    'x-request-id': request.id,
    'x-real-ip': request.ip,
    'x-forwarded-for': previous ? `${previous}, ${request.ip}` : request.ip,
    'x-forwarded-proto': request.protocol,
    'x-forwarded-host': request.headers.host ?? '',
  };
}

function errorCode(error: unknown): string {
  const { code, cause } = error as { code?: unknown; cause?: { code?: unknown } };
  return String(cause?.code ?? code ?? '');
}

/** Fastify's own answer while a replica closes (`return503OnClosing`): nothing of the request ran. */
async function closingAnswer(response: Dispatcher.ResponseData): Promise<{ closing: boolean; text: string } | null> {
  if (response.statusCode !== 503 || response.headers.connection !== 'close') return null;
  const text = await response.body.text();
  return { closing: /^\{"error":"Service Unavailable"/.test(text), text };
}

async function forward(request: FastifyRequest, reply: FastifyReply, pool: UpstreamPool): Promise<FastifyReply> {
  const body = request.body as ForwardBody;
  const replayable = body === undefined || Buffer.isBuffer(body);
  const tried = new Set<UpstreamTarget>();
  const abort = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });

  for (;;) {
    const target = pool.pick(tried);
    if (!target)
      return sendUpstreamFailure(request, reply, pool.name, tried.size === 0 ? 'no address' : 'ECONNREFUSED');
    tried.add(target);
    // An open stream (SSE) counts until it ends, so long-lived clients spread out too.
    target.pending++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      target.pending--;
    };
    let response: Dispatcher.ResponseData;
    try {
      response = await target.dispatcher.request({
        path: request.url,
        method: request.method as Dispatcher.HttpMethod,
        headers: forwardedHeaders(request, target, body),
        body: body ?? null,
        signal: abort.signal,
        ...(SLOW_ROUTE.test(request.url) ? { headersTimeout: SLOW_ROUTE_RESPONSE_TIMEOUT_MS } : {}),
      });
    } catch (error) {
      release();
      const code = errorCode(error);
      const again =
        !abort.signal.aborted &&
        ((NOT_CONNECTED.has(code) && replayable) || (CONNECTION_LOST.has(code) && SAFE_METHODS.has(request.method)));
      if (NOT_CONNECTED.has(code) || CONNECTION_LOST.has(code)) pool.eject(target, code);
      if (again) continue;
      return sendUpstreamFailure(request, reply, pool.name, error);
    }

    const closing = await closingAnswer(response).catch(() => null);
    if (closing?.closing) {
      release();
      pool.eject(target, 'closing');
      if (replayable && !abort.signal.aborted) continue;
      return sendUpstreamFailure(request, reply, pool.name, 'ECONNREFUSED');
    }

    target.served++;
    // A replica adds this to every answer once it is shutting down: send it nothing new.
    if (response.headers.connection === 'close') pool.eject(target, 'closing');
    response.body.once('close', release);
    reply.raw.once('close', release);
    reply.status(response.statusCode);
    for (const [name, value] of Object.entries(response.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) reply.header(name, value);
    }
    if (closing) {
      release();
      return reply.send(closing.text);
    }
    // A failure's body is a few hundred bytes and the request log wants its message: read it whole.
    if (response.statusCode >= 400 && Number(response.headers['content-length']) <= MAX_LOGGED_ERROR_BODY) {
      return reply.send(Buffer.from(await response.body.arrayBuffer()));
    }
    return reply.send(response.body);
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
