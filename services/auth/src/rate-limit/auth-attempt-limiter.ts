import { createHash } from 'node:crypto';
import type { BaseConfig } from '@hivebase/platform';
import { connectRedis, quitRedis, type RedisConnectOptions, tooManyRequests } from '@hivebase/platform';
import { Logger, type LoggerService } from '@nestjs/common';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterRes,
} from 'rate-limiter-flexible';

export type AttemptKind = 'password' | 'otp';

/** How many failed sign-ins are tolerated, over which window, and how long reaching the limit blocks. */
export interface AuthAttemptLimits {
  maxFailedPerIdentity: number;
  maxFailedPerIp: number;
  windowSeconds: number;
  blockSeconds: number;
}

/** The limits set in the config (`AUTH_MAX_FAILED_PER_IDENTITY`, …). */
export function authAttemptLimitsOf(
  config: Pick<
    BaseConfig,
    'authMaxFailedPerIdentity' | 'authMaxFailedPerIp' | 'authFailedWindowSeconds' | 'authBlockSeconds'
  >,
): AuthAttemptLimits {
  return {
    maxFailedPerIdentity: config.authMaxFailedPerIdentity,
    maxFailedPerIp: config.authMaxFailedPerIp,
    windowSeconds: config.authFailedWindowSeconds,
    blockSeconds: config.authBlockSeconds,
  };
}

/** Redis keys are `<prefix>:ip:<ip>` and `<prefix>:identity:<kind>:<collectionId>:<identity>`. */
export const AUTH_ATTEMPT_KEY_PREFIX = 'hb:auth-fail';

export interface AuthAttemptRedisOptions extends RedisConnectOptions {
  /** Replaces `hb:auth-fail`; tests use it to stay apart. */
  keyPrefix?: string;
  /** Where connection errors go (default: Nest's `Logger`). */
  logger?: LoggerService;
}

// Identities come from request bodies: past this length they are stored as a hash, so a key stays small.
const MAX_IDENTITY_KEY_LENGTH = 200;

/**
 * Brute-force protection for password and OTP sign-in: failures are counted per client IP (over
 * every identity) and per identity (per attempt kind and collection, case-insensitive). Reaching
 * either limit blocks for `blockSeconds`. Counts live in memory (standalone) or in Redis, where
 * every replica shares them. Provided by `RateLimitModule`.
 */
export class AuthAttemptLimiter {
  private constructor(
    private readonly byIp: RateLimiterAbstract,
    private readonly byIdentity: RateLimiterAbstract,
    private readonly limits: AuthAttemptLimits,
    private readonly release: () => Promise<void> = async () => {},
  ) {}

  /** Counts in this process only: right for standalone, where it is the only process. */
  static inMemory(limits: AuthAttemptLimits): AuthAttemptLimiter {
    return new AuthAttemptLimiter(
      new RateLimiterMemory(counterOptions('ip', limits.maxFailedPerIp, limits)),
      new RateLimiterMemory(counterOptions('identity', limits.maxFailedPerIdentity, limits)),
      limits,
    );
  }

  /**
   * Counts in Redis, shared by every replica; rejects within `connectTimeoutMs` when Redis is
   * unreachable. If Redis goes away later, each replica counts in memory until it is back, so
   * sign-in neither fails outright nor loses its protection.
   */
  static async connect(
    url: string,
    limits: AuthAttemptLimits,
    options: AuthAttemptRedisOptions = {},
  ): Promise<AuthAttemptLimiter> {
    const client = await connectRedis(url, {
      role: 'rate-limit',
      logger: options.logger ?? new Logger(AuthAttemptLimiter.name),
      connectTimeoutMs: options.connectTimeoutMs,
    });
    const prefix = options.keyPrefix ?? AUTH_ATTEMPT_KEY_PREFIX;
    const onRedis = (name: string, max: number) => {
      const counter = counterOptions(name, max, limits, prefix);
      return new RateLimiterRedis({
        ...counter,
        storeClient: client,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(counter),
      });
    };
    return new AuthAttemptLimiter(
      onRedis('ip', limits.maxFailedPerIp),
      onRedis('identity', limits.maxFailedPerIdentity),
      limits,
      () => quitRedis(client),
    );
  }

  /** Throws ApiError(429) when this IP or this identity is blocked. Call before checking credentials. */
  async assertAllowed(kind: AttemptKind, collectionId: string, ip: string, identity: string): Promise<void> {
    const [ipCount, identityCount] = await Promise.all([
      this.byIp.get(ip),
      this.byIdentity.get(identityKey(kind, collectionId, identity)),
    ]);
    if (reached(ipCount, this.limits.maxFailedPerIp) || reached(identityCount, this.limits.maxFailedPerIdentity)) {
      throw tooManyRequests();
    }
  }

  /** Counts one failed attempt for the IP and the identity. */
  async recordFailure(kind: AttemptKind, collectionId: string, ip: string, identity: string): Promise<void> {
    await Promise.all([
      this.countFailure(this.byIp, ip, this.limits.maxFailedPerIp),
      this.countFailure(this.byIdentity, identityKey(kind, collectionId, identity), this.limits.maxFailedPerIdentity),
    ]);
  }

  /** After a success: clears the identity's failures (not the IP's: one valid account must not reset a spray). */
  async recordSuccess(kind: AttemptKind, collectionId: string, _ip: string, identity: string): Promise<void> {
    await this.byIdentity.delete(identityKey(kind, collectionId, identity));
  }

  /** Closes the Redis connection, if this limiter opened one. */
  close(): Promise<void> {
    return this.release();
  }

  private async countFailure(counter: RateLimiterAbstract, key: string, max: number): Promise<void> {
    // `penalty` counts without rejecting; the failure that reaches the limit starts the block,
    // however much of the counting window is left.
    const counted = await counter.penalty(key);
    if (counted.consumedPoints >= max) await counter.block(key, this.limits.blockSeconds);
  }
}

function counterOptions(name: string, max: number, limits: AuthAttemptLimits, prefix = AUTH_ATTEMPT_KEY_PREFIX) {
  return { keyPrefix: `${prefix}:${name}`, points: max, duration: limits.windowSeconds };
}

// A blocked key holds max + 1 points (what `block` stores), so this covers blocks and full windows alike.
const reached = (count: RateLimiterRes | null, max: number) => count !== null && count.consumedPoints >= max;

function identityKey(kind: AttemptKind, collectionId: string, identity: string): string {
  const normalized = identity.toLowerCase();
  const stored =
    normalized.length > MAX_IDENTITY_KEY_LENGTH
      ? `sha256:${createHash('sha256').update(normalized).digest('hex')}`
      : normalized;
  return `${kind}:${collectionId}:${stored}`;
}
