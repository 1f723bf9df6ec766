import { isatty } from 'node:tty';
import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import PinoPretty from 'pino-pretty';
import type { BaseConfig } from '../config/config.schema';

// Nest's start-up narration (a line per module, per controller, per route): useful when
// debugging the wiring, noise on every start otherwise.
const NEST_BOOT_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

const INFO = 30;

/** pino hooks that log Nest's start-up narration at debug instead of info. */
export const nestBootLinesAsDebug: NonNullable<LoggerOptions['hooks']> = {
  logMethod(args, method, level) {
    const [first] = args;
    const context = typeof first === 'object' && first !== null ? (first as { context?: unknown }).context : undefined;
    if (level === INFO && typeof context === 'string' && NEST_BOOT_CONTEXTS.has(context)) {
      // Re-enters this hook at the debug level, where it passes through.
      return this.debug.apply(this, args as Parameters<typeof this.debug>);
    }
    return method.apply(this, args);
  },
};

interface RequestLine {
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
}

/**
 * One human line per event: `[context] message`, or for a finished request
 * `GET /api/health 200 3ms` instead of pino-http's nested request and response objects.
 */
function humanMessage(log: Record<string, unknown>, messageKey: string): string {
  const { req, res, responseTime } = log as RequestLine;
  const message = String(log[messageKey] ?? '');
  if (req?.method && res?.statusCode !== undefined) {
    const took = typeof responseTime === 'number' ? ` ${Math.round(responseTime)}ms` : '';
    return `${req.method} ${req.url ?? ''} ${res.statusCode}${took}`;
  }
  return typeof log.context === 'string' ? `[${log.context}] ${message}` : message;
}

/**
 * Human-readable log lines (pino-pretty) written synchronously to `destination` (a file
 * descriptor, stdout by default), so they keep their order with what the process prints itself
 * (the serve banner). Colours only where the terminal has them.
 */
export function prettyLogStream(destination: 1 | 2 | NodeJS.WritableStream = 1): DestinationStream {
  return PinoPretty({
    destination,
    // Colours for a terminal only; FORCE_COLOR (set by task runners) must not put escapes in files or pipes.
    colorize: typeof destination === 'number' && isatty(destination),
    sync: true,
    singleLine: true,
    translateTime: 'SYS:yyyy/mm/dd HH:MM:ss',
    ignore: 'pid,hostname,name,context,reqId,req,res,responseTime',
    messageFormat: humanMessage,
  });
}

/**
 * A Nest logger for the moments before (or without) a Nest app, e.g. while `serve` starts its
 * embedded Postgres: the same level, format and filtering as the app's pino logger will have.
 * `fd` 2 keeps a CLI command's stdout for its result.
 */
export function processLogger(
  config: Pick<BaseConfig, 'logLevel' | 'logPretty'>,
  name: string,
  fd: 1 | 2 = 1,
): LoggerService {
  const options: LoggerOptions = { name, level: config.logLevel, hooks: nestBootLinesAsDebug };
  const destination = config.logPretty ? prettyLogStream(fd) : pino.destination({ dest: fd, sync: true });
  return new NestPinoLogger(pino(options, destination));
}

type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's logger contract over a pino instance: the last extra argument is the context; an object
 * message may be followed by its text (`logger.error({ err }, 'request failed')`).
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: pino.Logger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: PinoLevel, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const context = params.length && typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    const text = params.length > 1 && typeof params[0] === 'string' ? params[0] : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message }, text);
    else this.logger[level]({ context }, String(message));
  }
}
