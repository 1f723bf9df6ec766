import { randomBytes } from 'node:crypto';
import { connectRedis } from '@hivebase/platform';
import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { type ActiveBackup, InProcessActiveBackup, RedisActiveBackup } from './active-backup';

const opened: ActiveBackup[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((lock) => lock.close()));
});

/** Two "replicas" sharing one Redis key, as two collections processes would. */
function replicas(leaseMs?: number): [RedisActiveBackup, RedisActiveBackup] {
  const key = `hb-test-${randomBytes(6).toString('hex')}:backups:active`;
  const make = () =>
    new RedisActiveBackup(
      () => connectRedis('redis://127.0.0.1:6379', { role: 'active-backup-test', logger: new Logger('test') }),
      key,
      leaseMs,
    );
  const pair: [RedisActiveBackup, RedisActiveBackup] = [make(), make()];
  opened.push(...pair);
  return pair;
}

describe('ActiveBackup', () => {
  it('in-process: one holder at a time, its name visible, free again after release', async () => {
    const lock = new InProcessActiveBackup();
    expect(await lock.current()).toBeNull();
    const held = await lock.acquire('a.zip');
    expect(await lock.current()).toBe('a.zip');
    expect(await lock.acquire('b.zip')).toBeNull();
    await held?.release();
    expect(await lock.current()).toBeNull();
    expect(await lock.acquire('b.zip')).not.toBeNull();
  });

  it('Redis: a second replica sees the holder and cannot take the lock until it is released', async () => {
    const [one, two] = replicas();
    const held = await one.acquire('pb_backup_x.zip');
    expect(held).not.toBeNull();
    expect(await two.current()).toBe('pb_backup_x.zip');
    expect(await two.acquire('other.zip')).toBeNull();
    await held?.release();
    expect(await two.current()).toBeNull();
    const next = await two.acquire('other.zip');
    expect(await one.current()).toBe('other.zip');
    // A stale release (the first holder's) does not free the new holder's lock.
    await held?.release();
    expect(await one.current()).toBe('other.zip');
    await next?.release();
  });

  it('Redis: a holder that keeps working renews its lease; one that dies frees the lock within it', async () => {
    const [one, two] = replicas(300);
    await one.acquire('long.zip');
    await new Promise((done) => setTimeout(done, 700));
    expect(await two.current()).toBe('long.zip');
    await one.close(); // the holder's process is gone: no more renewals
    await new Promise((done) => setTimeout(done, 500));
    expect(await two.current()).toBeNull();
    expect(await two.acquire('mine.zip')).not.toBeNull();
  });
});
