import type { LoggerService } from '@nestjs/common';
import { Redis } from 'ioredis';

export interface RedisConnectOptions {
  /** Bound on the first connect, ready check included (default 5000 ms), so boot fails instead of hanging. */
  connectTimeoutMs?: number;
}

export interface ConnectRedisOptions extends RedisConnectOptions {
  /** What the connection is for: its Redis client name (`hb-<role>`) and its log lines. */
  role: string;
  /** Where connection errors after the first connect go (ioredis reconnects by itself). */
  logger: LoggerService;
  /**
   * How often a command is retried across reconnects before it fails (default 2: callers learn
   * quickly that Redis is down); `null` retries forever, which BullMQ workers require.
   */
  maxRetriesPerRequest?: number | null;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * An ioredis client that is connected and ready, or a clear error naming the (password-redacted)
 * URL within `connectTimeoutMs`. After that first connect, ioredis reconnects on its own.
 */
export async function connectRedis(url: string, options: ConnectRedisOptions): Promise<Redis> {
  const { role, logger, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, maxRetriesPerRequest = 2 } = options;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest,
    connectionName: `hb-${role}`,
  });
  let lastError: unknown;
  const remember = (error: unknown) => {
    lastError = error;
  };
  client.on('error', remember);
  let timer: NodeJS.Timeout | undefined;
  try {
    // connectTimeout only bounds the TCP connect; a server that accepts and never answers needs this too.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    });
    await Promise.race([client.connect(), timeout]);
  } catch (error) {
    // Stops ioredis from retrying in the background; `remember` stays to swallow late socket errors.
    client.disconnect();
    const cause = lastError ?? error;
    throw new Error(`cannot connect to Redis at ${redactUrl(url)}: ${messageOf(cause)}`, { cause });
  } finally {
    clearTimeout(timer);
  }
  client.off('error', remember);
  client.on('error', (error) => logger.warn({ msg: 'redis connection error', role, err: error }));
  return client;
}

/** Quits politely, or drops the socket when the connection is already gone. */
export async function quitRedis(client: Redis): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
