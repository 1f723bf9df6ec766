import { hostname } from 'node:os';
import type { Redis } from 'ioredis';

/**
 * Decides which replica runs a due job: the first to claim (job id, minute) wins, every later
 * claim of the same pair fails, so each tick runs once however many replicas tick.
 */
export interface CronLock {
  /** True for the first claim of `id` at `minute` (epoch minutes), false for every later one. */
  claim(id: string, minute: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * How long a claim is remembered. It only has to outlive the clock skew between replicas (a
 * replica whose clock is late ticks the same minute later); a few minutes is ample.
 */
export const CRON_CLAIM_TTL_MS = 5 * 60_000;

/** The standalone lock: one process, so a plain map of recent claims. */
export class InProcessCronLock implements CronLock {
  private readonly claims = new Map<string, number>();

  async claim(id: string, minute: number): Promise<boolean> {
    const now = Date.now();
    for (const [key, expires] of this.claims) if (expires <= now) this.claims.delete(key);
    const key = `${id}\u0000${minute}`;
    if (this.claims.has(key)) return false;
    this.claims.set(key, now + CRON_CLAIM_TTL_MS);
    return true;
  }

  async close(): Promise<void> {
    this.claims.clear();
  }
}

/**
 * The distributed lock: `SET <prefix>:cron:<minute>:<id> NX PX <ttl>` in the shared Redis, one
 * atomic command, so of the replicas ticking the same minute exactly one gets `OK`.
 */
export class RedisCronLock implements CronLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Stored as the key's value, to see in Redis who ran a tick. */
    private readonly owner = `${hostname()}:${process.pid}`,
  ) {}

  async claim(id: string, minute: number): Promise<boolean> {
    const key = `${this.prefix}:cron:${minute}:${id}`;
    return (await this.redis.set(key, this.owner, 'PX', CRON_CLAIM_TTL_MS, 'NX')) === 'OK';
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
