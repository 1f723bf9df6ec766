import type { IncomingHttpHeaders } from 'node:http';
import replyFrom from '@fastify/reply-from';
import { ApiError, type GatewayConfig, notFound, sendApiError } from '@hivebase/server';
import { Logger } from '@nestjs/common';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerBase,
  RouteGenericInterface,
} from 'fastify';
import { BodyLimitStream, bodyTooLarge } from './body-limit';
import { type UpstreamName, upstreamFor } from './upstream-routes';

export type UpstreamUrls = Record<UpstreamName, string>;

export function upstreamUrls(config: GatewayConfig): UpstreamUrls {
  return {
    collections: config.upstreamCollections,
    auth: config.upstreamAuth,
    files: config.upstreamFiles,
    realtime: config.upstreamRealtime,
  };
}

/** The reply type reply-from hands to `onError` (any HTTP server flavour). */
type ProxiedReply = FastifyReply<
  RouteGenericInterface,
  RawServerBase,
  RawRequestDefaultExpression<RawServerBase>,
  RawReplyDefaultExpression<RawServerBase>
>;

// OPTIONS is answered by the CORS plugin, as PocketBase answers preflights itself.
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Forwards every request the gateway does not answer itself to the service that owns it, with
 * bodies and responses streamed both ways (SSE included: no body timeout, no buffering).
 */
export async function registerProxy(fastify: FastifyInstance, config: GatewayConfig): Promise<void> {
  const upstreams = upstreamUrls(config);
  await fastify.register(async (proxy) => {
    await proxy.register(replyFrom, {
      undici: {
        connect: { timeout: config.upstreamConnectTimeoutMs },
        headersTimeout: config.upstreamResponseTimeoutMs,
        // Long-lived streams (realtime) legitimately go quiet; the client's disconnect ends them.
        bodyTimeout: 0,
      },
    });

    // This context is registered before Nest installs its error handler, so it needs its own.
    const logger = new Logger('proxy');
    proxy.setErrorHandler((error, request, reply) => sendApiError(error, request, reply, logger));

    // Keep bodies as raw streams: the owning service parses them.
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser('*', (request, payload, done) => {
      const declared = Number(request.headers['content-length']);
      if (declared > config.bodyLimit) return done(bodyTooLarge(), undefined);
      done(null, payload.pipe(new BodyLimitStream(config.bodyLimit)));
    });

    proxy.route({
      method: [...METHODS],
      url: '/*',
      handler: (request, reply) => {
        const path = request.url.split('?', 1)[0];
        const upstream = upstreamFor(path);
        if (!upstream) throw notFound();
        return reply.from(upstreams[upstream] + request.url, {
          rewriteRequestHeaders: (_original, headers) => forwardedHeaders(request, headers),
          onError: (failed, { error }) => sendUpstreamError(request, failed, upstream, error),
        });
      },
    });
  });
}

/** What the service behind us needs to know about the client. */
function forwardedHeaders(request: FastifyRequest, headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const previous = headers['x-forwarded-for'];
  return {
    ...headers,
    'x-request-id': request.id,
    'x-real-ip': request.ip,
    'x-forwarded-for': previous ? `${previous}, ${request.ip}` : request.ip,
    'x-forwarded-proto': request.protocol,
    'x-forwarded-host': request.headers.host ?? '',
  };
}

/** Upstream failures in PocketBase's error shape: down → 503, too slow → 504, else 502. */
function sendUpstreamError(request: FastifyRequest, reply: ProxiedReply, upstream: UpstreamName, error: Error): void {
  const cause = (error as { cause?: unknown }).cause ?? error;
  if (cause instanceof ApiError) {
    void reply.status(cause.status).send(cause.toBody());
    return;
  }
  const code = String((cause as { code?: unknown }).code ?? (error as { code?: unknown }).code ?? '');
  const status = /TIMEOUT/.test(code) ? 504 : /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH/.test(code) ? 503 : 502;
  request.log.warn({ err: cause, upstream, status }, 'upstream request failed');
  void reply.status(status).type('application/json').send(new ApiError(status).toBody());
}
