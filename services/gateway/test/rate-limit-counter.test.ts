import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimitCounter } from '../src/rate-limit/rate-limit-counter';

// The distributed counter on the real Redis: two gateways' counters spend one budget.
describe('RedisRateLimitCounter', () => {
  const prefix = `hb-test-${randomBytes(4).toString('hex')}:rl`;
  let a: Redis;
  let b: Redis;

  beforeAll(() => {
    a = new Redis('redis://127.0.0.1:6379');
    b = new Redis('redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    const keys = await a.keys(`${prefix}:*`);
    if (keys.length > 0) await a.del(...keys);
    await a.quit();
    await b.quit();
  });

  it('shares one fixed window between replicas, expiring with the window', async () => {
    const first = new RedisRateLimitCounter(a, prefix);
    const second = new RedisRateLimitCounter(b, prefix);
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await (i % 2 ? second : first).consume('k:1.2.3.4', 3, 30));
    expect(results).toEqual([true, true, true, false, false]);
    const ttl = await a.ttl(`${prefix}:k:1.2.3.4`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
    // Another key has its own window.
    expect(await second.consume('k:5.6.7.8', 3, 30)).toBe(true);
  });
});
