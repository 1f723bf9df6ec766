import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type DynamicModule, type INestApplication, Logger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BaseConfig } from '../config/config.schema';
import { ConfigError } from '../config/load-config';
import { ApiError } from '../errors/api-error';
import { ApiExceptionFilter } from '../errors/api-exception.filter';
import { HealthChecks } from '../health/health-checks';
import {
  NestPinoLogger,
  REQUEST_ID_HEADER,
  ROOT_LOGGER,
  registerAccessLog,
  requestIdOf,
} from '../logging/logging.module';
import { registerHttpMetrics } from '../metrics/http-metrics';
import { startMetricsServer } from '../metrics/metrics-server';
import { pickFieldsHook } from './fields-picker';

export interface HttpAppOptions {
  config: Pick<BaseConfig, 'bodyLimit' | 'shutdownTimeoutMs'> & Partial<Pick<BaseConfig, 'metricsHttp'>>;
  /** The route template requests are counted under in the metrics (default: the router's match). */
  metricsRoute?: (request: FastifyRequest) => string;
  /**
   * Parse JSON/urlencoded bodies in Nest (default true); the gateway streams them instead.
   * Multipart bodies need the runtime's `registerMultipartBody` in `configureFastify`.
   */
  bodyParser?: boolean;
  /** Runs on the Fastify instance before Nest registers its routes (plugins, raw routes). */
  configureFastify?: (fastify: FastifyInstance) => void | Promise<void>;
  /**
   * Proxies in front whose `X-Forwarded-For` entry is trusted for `request.ip` (default 0). A
   * service behind the gateway sets 1: the gateway appends the client's address as it saw it.
   */
  trustedProxyHops?: number;
}

/**
 * Builds a Nest app on Fastify with what every Hivebase process shares: request ids echoed in
 * `x-request-id`, PocketBase-shaped errors (from Nest, from Fastify and for unknown routes), the
 * body limit, pino logging and graceful close (in-flight requests finish; idle sockets close).
 */
export async function createHttpApp(
  rootModule: Type | DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.config.bodyLimit,
    genReqId: (request: IncomingMessage) => requestIdOf(request),
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Ids of any length reach the handlers (Fastify's default cut is 100 characters), as in PocketBase.
    routerOptions: { ignoreTrailingSlash: true, querystringParser: firstValueQuery, maxParamLength: 16_384 },
    // A URL the router cannot decode answers in PocketBase's error shape, not Fastify's.
    frameworkErrors: (_error: Error, _request: unknown, reply: FastifyReply) =>
      void reply.code(400).send(new ApiError(400).toBody()),
    clientErrorHandler: answerClientError,
    ...(options.trustedProxyHops ? { trustProxy: trustHops(options.trustedProxyHops) } : {}),
  });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    bufferLogs: true,
    bodyParser: options.bodyParser ?? true,
  });
  app.useLogger(app.get(NestPinoLogger));
  app.useGlobalFilters(new ApiExceptionFilter());

  // Nest routes Fastify's own errors (body parsing, limits) and unknown routes to this filter too.

  const fastify = app.getHttpAdapter().getInstance();
  registerAccessLog(fastify, app.get(ROOT_LOGGER));
  // Callback hooks rather than async ones: they run on every request, and an async hook costs
  // a promise and a microtask each.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    // PocketBase v0.40 sends it on every response (it keeps OAuth2 popups from reaching the opener).
    reply.header('cross-origin-opener-policy', 'same-origin');
    // The SDK labels body-less requests (DELETE, …) as JSON; PocketBase reads them as empty,
    // where Fastify would refuse an empty JSON body.
    const { headers } = request.raw;
    if (headers['content-type'] && !headers['transfer-encoding'] && Number(headers['content-length'] ?? 0) === 0) {
      delete headers['content-type'];
    }
    done();
  });
  // While draining, responses close their keep-alive connection so the server can finish closing.
  let draining = false;
  fastify.addHook('preClose', async () => {
    draining = true;
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
  // PocketBase's `?fields=`: every 2xx JSON response is trimmed to the listed paths.
  fastify.addHook('preSerialization', pickFieldsHook);
  registerHttpMetrics(fastify, options.metricsRoute);
  const metricsHttp = options.config.metricsHttp;
  if (metricsHttp) {
    const checks = healthChecksOf(app);
    const server = await startMetricsServer({
      ...metricsHttp,
      // Ready while not draining and every dependency (database, Redis, …) answers.
      ready: async () => !draining && (!checks || Object.keys(await checks.failing(2_000)).length === 0),
    });
    fastify.addHook('onClose', async () => {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    });
  }
  await options.configureFastify?.(fastify);
  return app;
}

/** The app's health checks, null in an app without them (the gateway with the edge off). */
function healthChecksOf(app: INestApplication): HealthChecks | null {
  try {
    return app.get(HealthChecks, { strict: false });
  } catch {
    return null;
  }
}

/**
 * The query string as PocketBase reads it (Go's `url.Values.Get`): one text per key, the first
 * when a key repeats, so `?filter=a&filter=b` is the filter `a`, never a list.
 */
export function firstValueQuery(query: string): Record<string, string> {
  const first = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(query)) if (!first.has(key)) first.set(key, value);
  // fromEntries defines own properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(first);
}

/**
 * Errors Node's HTTP parser raises before any route runs (a header block over the limit, a
 * malformed request line) answered in PocketBase's error shape, then the connection closed.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify(new ApiError(status, STATUS_CODES[status] && `${STATUS_CODES[status]}.`).toBody());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** proxy-addr's trust function for the nearest `hops` proxies (a hop count is not in Fastify's types). */
const trustHops =
  (hops: number) =>
  (_address: string, hop: number): boolean =>
    hop < hops;

/** Listens on `host:port` and returns the port actually bound (0 picks a free one). */
export async function listen(app: INestApplication, host: string, port: number): Promise<number> {
  await app.listen(port, host);
  const address = (app.getHttpServer() as Server).address();
  const bound = typeof address === 'object' && address ? address.port : port;
  new Logger('http').log(`listening on http://${host}:${bound}`);
  return bound;
}

/**
 * Closes the app on SIGINT/SIGTERM: stop accepting, let in-flight requests finish (up to the
 * timeout, then cut the remaining connections), run Nest's shutdown hooks (pools), exit. With
 * `drainMs`, `/api/health` first fails for that long while requests are still served, so the
 * gateways stop sending new ones before any connection closes (see docs/scaling.md).
 */
export function closeOnSignals(
  app: INestApplication,
  timeoutMs: number,
  afterClose: () => Promise<void> = async () => {},
  drainMs = 0,
): void {
  const logger = new Logger('shutdown');
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    if (drainMs > 0) {
      logger.log(`${signal} received, leaving the gateways' rotation for ${drainMs} ms`);
      app.get(HealthChecks, { strict: false }).add('shutdown', async () => {
        throw new Error('shutting down');
      });
      await new Promise((done) => setTimeout(done, drainMs));
    }
    logger.log(`${signal} received, draining`);
    const server = app.getHttpServer() as Server;
    const force = setTimeout(() => {
      logger.warn(`still busy after ${timeoutMs} ms, closing remaining connections`);
      server.closeAllConnections();
    }, timeoutMs);
    force.unref();
    let exitCode = 0;
    try {
      await app.close();
      await afterClose();
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      exitCode = 1;
    } finally {
      clearTimeout(force);
    }
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** An error class whose instances are the user's to fix: their message is the whole story. */
type UserErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs a process entry point: a user's mistake (bad config, or an error of one of the entry
 * point's `userErrors`) prints its message, any other failure its stack, and the process exits non-zero
 * either way.
 */
export function runMain(main: () => Promise<void>, userErrors: readonly UserErrorClass[] = []): void {
  main().catch((error: unknown) => {
    const expected = [ConfigError, ...userErrors].some((type) => error instanceof type);
    console.error(expected ? (error as Error).message : error);
    process.exit(1);
  });
}
