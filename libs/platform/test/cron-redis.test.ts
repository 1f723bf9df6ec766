import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { CRON_CLAIM_TTL_MS, CronRunner, connectRedis, RedisCronLock } from '../src';

const REDIS_URL = process.env.HB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = new Logger('cron-redis.test');
const open: CronRunner[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((runner) => runner.close()));
});

/** A replica: its own scheduler on its own Redis connection, sharing `prefix` with the others. */
async function replica(prefix: string, name: string): Promise<CronRunner> {
  const redis = await connectRedis(REDIS_URL, { role: `cron-test-${name}`, logger });
  const runner = new CronRunner({ lock: new RedisCronLock(redis, prefix, name), timer: false });
  open.push(runner);
  return runner;
}

describe('CronRunner with RedisCronLock (the distributed shape)', () => {
  it('runs each due job once per minute across replicas ticking the same minute', async () => {
    const prefix = `hb-test-${randomUUID()}`;
    const replicas = await Promise.all(['a', 'b', 'c'].map((name) => replica(prefix, name)));
    const runs: { job: string; minute: string; by: string }[] = [];
    for (const [index, runner] of replicas.entries()) {
      const by = 'abc'[index] as string;
      runner.add('every', '* * * * *', async () => void runs.push({ job: 'every', minute: '', by }));
      runner.add('even', '*/2 * * * *', async () => void runs.push({ job: 'even', minute: '', by }));
    }
    const minutes = 6;
    for (let minute = 0; minute < minutes; minute++) {
      const at = new Date(Date.UTC(2026, 0, 1, 0, minute, index7(minute)));
      const before = runs.length;
      // All replicas tick the same minute at once: the claims race in Redis.
      await Promise.all(replicas.map((runner) => runner.tick(at)));
      for (const run of runs.slice(before)) run.minute = `${minute}`;
    }
    const count = (job: string) => runs.filter((run) => run.job === job).length;
    expect(count('every')).toBe(minutes);
    expect(count('even')).toBe(minutes / 2);
    // One run per (job, minute): no minute ran twice, whichever replica won it.
    const keys = runs.map((run) => `${run.job}@${run.minute}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('a replica whose clock is late does not run a minute another replica already ran', async () => {
    const prefix = `hb-test-${randomUUID()}`;
    const [early, late] = [await replica(prefix, 'early'), await replica(prefix, 'late')];
    let calls = 0;
    for (const runner of [early, late]) runner.add('job', '* * * * *', async () => void calls++);
    await early.tick(new Date('2026-01-01T00:00:00.100Z'));
    await late.tick(new Date('2026-01-01T00:00:02.900Z'));
    expect(calls).toBe(1);
    await late.tick(new Date('2026-01-01T00:01:00.000Z'));
    expect(calls).toBe(2);
  });

  it('claims expire (they only have to outlive clock skew) and are keyed by prefix', async () => {
    const prefix = `hb-test-${randomUUID()}`;
    const redis = await connectRedis(REDIS_URL, { role: 'cron-test-keys', logger });
    try {
      const lock = new RedisCronLock(redis, prefix, 'me');
      expect(await lock.claim('job', 1000)).toBe(true);
      expect(await lock.claim('job', 1000)).toBe(false);
      expect(await lock.claim('job', 1001)).toBe(true);
      expect(await lock.claim('other', 1000)).toBe(true);
      expect(await new RedisCronLock(redis, `${prefix}-other`, 'me').claim('job', 1000)).toBe(true);
      const key = `${prefix}:cron:1000:job`;
      expect(await redis.get(key)).toBe('me');
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(CRON_CLAIM_TTL_MS - 5_000);
      expect(ttl).toBeLessThanOrEqual(CRON_CLAIM_TTL_MS);
      await redis.del(...(await redis.keys(`${prefix}*`)));
    } finally {
      redis.disconnect();
    }
  });
});

/** Seconds into the minute differ per tick: the claim is per minute, not per instant. */
function index7(minute: number): number {
  return (minute * 7) % 60;
}
