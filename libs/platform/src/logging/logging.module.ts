import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { BaseConfig } from '../config/config.schema';
import { nestBootLinesAsDebug, prettyLogStream } from './log-output';

export { nestBootLinesAsDebug, prettyLogStream, processLogger } from './log-output';

export const REQUEST_ID_HEADER = 'x-request-id';

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

/** The path as the client sent it (middleware sees it relative to its mount point). */
function urlOf(request: IncomingMessage): string {
  return (request as IncomingMessage & { originalUrl?: string }).originalUrl ?? request.url ?? '';
}

/**
 * pino for every log line, bound to the current request (`reqId`) through async context, so
 * services log with Nest's `Logger` and still carry the request id.
 */
@Module({})
export class LoggingModule {
  /** `stream` replaces stdout (tests read what was logged); `logPretty` writes human lines instead of JSON. */
  static forRoot(
    config: Pick<BaseConfig, 'logLevel' | 'logPretty'>,
    name: string,
    stream?: DestinationStream,
  ): DynamicModule {
    const options: Options = {
      name,
      level: config.logLevel,
      genReqId: (request) => requestIdOf(request),
      // Every line logged while serving a request carries `reqId` (Nest's Logger included).
      quietReqLogger: true,
      customLogLevel: requestLogLevel,
      customAttributeKeys: { reqId: 'reqId' },
      // Access lines are noise for health probes; everything else is logged once.
      autoLogging: { ignore: (request) => urlOf(request).startsWith('/api/health') },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      hooks: nestBootLinesAsDebug,
    };
    // In-process and synchronous rather than a transport's worker thread: lines keep their order
    // with the serve banner, and none is lost when the process exits.
    const destination = stream ?? (config.logPretty ? prettyLogStream() : undefined);
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: destination ? [options, destination] : options,
          // nestjs-pino's default route pattern matches nothing on Nest 12 + Fastify.
          forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
          // A realtime stream lives for minutes: a request logger bound to it (two pino children,
          // their bindings and response listeners) would be kept per idle connection, about a
          // fifth of what one costs. The stream's end is logged by the realtime service.
          exclude: [{ path: 'api/realtime', method: RequestMethod.GET }],
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
