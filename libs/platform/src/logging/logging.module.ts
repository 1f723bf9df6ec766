import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamicModule, Module } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import type { BaseConfig } from '../config/config.schema';
import { NestPinoLogger, nestBootLinesAsDebug, prettyLogStream } from './log-output';

export { NestPinoLogger, nestBootLinesAsDebug, prettyLogStream, processLogger } from './log-output';

export const REQUEST_ID_HEADER = 'x-request-id';

/** The process's pino instance (what `LoggingModule` writes with). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** A usable incoming request id (from a proxy in front of us), or a fresh one. */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
  // Normalise it into the header so every later reader (logger, proxy) sees the same id.
  request.headers[REQUEST_ID_HEADER] = id;
  return id;
}

/**
 * Level of a request's completion line: a client that went away mid-response is routine
 * (load generators and browsers do it all the time), not a server error.
 */
export function requestLogLevel(
  request: IncomingMessage,
  response: ServerResponse,
  error?: Error,
): 'debug' | 'info' | 'error' {
  const clientGone = request.destroyed && !response.writableFinished;
  if (clientGone) return 'debug';
  if (error || response.statusCode >= 500) return 'error';
  return 'info';
}

/**
 * Requests without an access line: health probes (noise), and realtime streams, which live for
 * minutes and whose end the realtime service logs itself.
 */
function unlogged(method: string, url: string): boolean {
  return url.startsWith('/api/health') || (method === 'GET' && /^\/api\/realtime(?:[?/]|$)/.test(url));
}

/**
 * One access line per finished request (`reqId`, method, url, status, time), written only when
 * its level is enabled. A plain hook instead of a per-request child logger and async context:
 * those cost about a quarter of a short request's CPU (bench/RESULTS.md, issue 14) even when the
 * level drops the line. Lines logged while serving a request carry `reqId` where the code has the
 * request at hand (the error filter's); elsewhere they go without it.
 */
export function registerAccessLog(fastify: FastifyInstance, logger: Pino): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = requestLogLevel(request.raw, reply.raw);
    if (logger.isLevelEnabled(level) && !unlogged(request.method, request.url)) {
      logger[level](
        {
          reqId: request.id,
          req: { method: request.method, url: request.url },
          res: { statusCode: reply.statusCode },
          responseTime: reply.elapsedTime,
        },
        'request completed',
      );
    }
    done();
  });
}

/** pino for every log line: the process's root logger, and Nest's `Logger` writing through it. */
@Module({})
export class LoggingModule {
  /** `stream` replaces stdout (tests read what was logged); `logPretty` writes human lines instead of JSON. */
  static forRoot(
    config: Pick<BaseConfig, 'logLevel' | 'logPretty'>,
    name: string,
    stream?: DestinationStream,
  ): DynamicModule {
    // In-process and synchronous rather than a transport's worker thread: lines keep their order
    // with the serve banner, and none is lost when the process exits.
    const destination = stream ?? (config.logPretty ? prettyLogStream() : pino.destination({ dest: 1, sync: true }));
    const root = pino({ name, level: config.logLevel, hooks: nestBootLinesAsDebug }, destination);
    return {
      module: LoggingModule,
      global: true,
      providers: [
        { provide: ROOT_LOGGER, useValue: root },
        { provide: NestPinoLogger, useValue: new NestPinoLogger(root) },
      ],
      exports: [ROOT_LOGGER, NestPinoLogger],
    };
  }
}
