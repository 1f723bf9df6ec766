import type { Redis } from 'ioredis';

/**
 * Counts requests per key in fixed windows, PocketBase's strategy: a key's window starts at its
 * first request and lasts `durationSeconds`; `consume` says whether this request still fits.
 */
export interface RateLimitCounter {
  consume(key: string, maxRequests: number, durationSeconds: number): Promise<boolean>;
  close(): Promise<void>;
}

// INCR, and on the window's first request the expiry that ends it, in one atomic step.
const CONSUME_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

/** Counts in Redis, so every gateway replica spends from the same budget. */
export class RedisRateLimitCounter implements RateLimitCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async consume(key: string, maxRequests: number, durationSeconds: number): Promise<boolean> {
    const count = (await this.redis.eval(CONSUME_SCRIPT, 1, `${this.prefix}:${key}`, durationSeconds)) as number;
    return count <= maxRequests;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

const SWEEP_EVERY = 10_000;

/** Counts in this process's memory: the standalone shape, where this process sees every request. */
export class MemoryRateLimitCounter implements RateLimitCounter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();
  private calls = 0;

  async consume(key: string, maxRequests: number, durationSeconds: number): Promise<boolean> {
    const now = Date.now();
    if (++this.calls % SWEEP_EVERY === 0) {
      for (const [k, window] of this.windows) if (window.endsAt <= now) this.windows.delete(k);
    }
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + durationSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.count++;
    return window.count <= maxRequests;
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}
