import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connectRedis } from '@hivebase/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REDIS_URL = process.env.HB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REPLICAS = 3;
const MINUTES = 8;

// One scheduler replica per process, on the built `@hivebase/platform` (as the services run it):
// it ticks the minutes the test sends over IPC and records each run of its job in a Redis list.
const REPLICA_SCRIPT = `
const { CronRunner, RedisCronLock, connectRedis } = require('@hivebase/platform');
const [redisUrl, prefix, name] = process.argv.slice(1);
(async () => {
  const redis = await connectRedis(redisUrl, { role: 'cron-replica-' + name, logger: console });
  const runner = new CronRunner({ lock: new RedisCronLock(redis, prefix), timer: false });
  let minute = '';
  runner.add('count', '* * * * *', async () => void (await redis.rpush(prefix + ':runs', minute + '@' + name)));
  runner.add('even', '*/2 * * * *', async () => void (await redis.rpush(prefix + ':runs', 'even:' + minute + '@' + name)));
  process.on('message', async (message) => {
    if (message === 'stop') {
      await runner.close();
      process.exit(0);
    }
    minute = String(message);
    await runner.tick(new Date(message));
    process.send('ticked');
  });
  process.send('ready');
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

describe('cron replicas as separate processes sharing Redis', () => {
  const prefix = `hb-test-cron-${randomUUID()}`;
  const children: ChildProcess[] = [];
  let redis: Awaited<ReturnType<typeof connectRedis>>;

  beforeAll(async () => {
    redis = await connectRedis(REDIS_URL, { role: 'cron-replicas-test', logger: console });
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill();
    const keys = (await redis?.keys(`${prefix}*`)) ?? [];
    if (keys.length > 0) await redis.del(...keys);
    redis?.disconnect();
  });

  const next = (child: ChildProcess, expected: string) =>
    new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (message !== expected) return;
        child.off('exit', onExit);
        child.off('message', onMessage);
        resolve();
      };
      const onExit = (code: number | null) => reject(new Error(`replica exited (${code}) before "${expected}"`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });

  it('run each due job once per minute, whichever process wins the claim', async () => {
    for (let index = 0; index < REPLICAS; index++) {
      const child = spawn(process.execPath, ['-e', REPLICA_SCRIPT, REDIS_URL, prefix, `r${index}`], {
        cwd: __dirname,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
    }
    await Promise.all(children.map((child) => next(child, 'ready')));

    for (let minute = 0; minute < MINUTES; minute++) {
      const at = Date.UTC(2031, 5, 1, 12, minute, (minute * 13) % 60);
      // Every process ticks the same minute at once: their claims race in Redis.
      const ticked = children.map((child) => next(child, 'ticked'));
      for (const child of children) child.send(at);
      await Promise.all(ticked);
    }
    const exited = children.map((child) => new Promise((done) => child.once('exit', done)));
    for (const child of children) child.send('stop');
    await Promise.all(exited);

    const runs = await redis.lrange(`${prefix}:runs`, 0, -1);
    const minutesOf = (kind: 'count' | 'even') =>
      runs
        .filter((run) => run.startsWith('even:') === (kind === 'even'))
        .map((run) => Number(run.replace('even:', '').split('@')[0]))
        .sort((a, b) => a - b);
    const expected = Array.from({ length: MINUTES }, (_, minute) =>
      Date.UTC(2031, 5, 1, 12, minute, (minute * 13) % 60),
    );
    // Once per minute: every minute present, none twice.
    expect(minutesOf('count')).toEqual(expected);
    expect(minutesOf('even')).toEqual(expected.filter((_, minute) => minute % 2 === 0));
  });
});
