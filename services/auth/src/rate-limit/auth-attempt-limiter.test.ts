import { randomUUID } from 'node:crypto';
import { ApiError, baseConfigSchema, loadConfig } from '@hivebase/platform';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthAttemptLimiter, type AuthAttemptLimits } from './auth-attempt-limiter';
import { RateLimitModule } from './rate-limit.module';

const REDIS_URL = process.env.HB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Keys of this run: parallel runs and other test files never count each other's failures.
const RUN_PREFIX = `hbtest:${randomUUID().slice(0, 8)}:auth-fail`;
const LIMITS: AuthAttemptLimits = { maxFailedPerIdentity: 3, maxFailedPerIp: 5, windowSeconds: 600, blockSeconds: 600 };
const USERS = 'pbc_users';

const opened: AuthAttemptLimiter[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((limiter) => limiter.close()));
});

// Reads what the limiters stored, and removes it after the run.
const inspector = new Redis(REDIS_URL);
afterAll(async () => {
  const keys = await inspector.keys(`${RUN_PREFIX}:*`);
  if (keys.length) await inspector.del(...keys);
  inspector.disconnect();
});

let testSeq = 0;
let prefix = '';
beforeEach(() => {
  testSeq += 1;
  prefix = `${RUN_PREFIX}:${testSeq}`;
});

interface StoreKind {
  name: string;
  /** Limiters of one test share a key prefix: replicas of one deployment. */
  open(): Promise<AuthAttemptLimiter>;
}

const memory: StoreKind = {
  name: 'in memory',
  async open() {
    return AuthAttemptLimiter.inMemory(LIMITS);
  },
};

const redis: StoreKind = {
  name: 'on Redis',
  async open() {
    const limiter = await AuthAttemptLimiter.connect(REDIS_URL, LIMITS, { keyPrefix: prefix });
    opened.push(limiter);
    return limiter;
  },
};

async function refusalOf(attempt: Promise<void>): Promise<ApiError | undefined> {
  try {
    await attempt;
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

async function isBlocked(
  limiter: AuthAttemptLimiter,
  ip: string,
  identity: string,
  kind: 'password' | 'otp' = 'password',
  collectionId = USERS,
) {
  return (await refusalOf(limiter.assertAllowed(kind, collectionId, ip, identity)))?.status === 429;
}

describe.each([memory, redis])('AuthAttemptLimiter $name', (store) => {
  it('blocks an identity after N failures from varying IPs, case-insensitively, in its collection and kind only', async () => {
    const limiter = await store.open();
    for (let i = 1; i <= LIMITS.maxFailedPerIdentity; i += 1) {
      expect(await isBlocked(limiter, `10.0.0.${i}`, 'alice@example.com')).toBe(false);
      await limiter.recordFailure('password', USERS, `10.0.0.${i}`, i % 2 ? 'alice@example.com' : 'ALICE@example.com');
    }
    expect(await isBlocked(limiter, '10.0.0.99', 'Alice@Example.com')).toBe(true);
    expect(await isBlocked(limiter, '10.0.0.99', 'bob@example.com')).toBe(false);
    expect(await isBlocked(limiter, '10.0.0.99', 'alice@example.com', 'otp')).toBe(false);
    expect(await isBlocked(limiter, '10.0.0.99', 'alice@example.com', 'password', 'pbc_other')).toBe(false);
  });

  it('blocks an IP after M failures over varying identities, whoever it then signs in as', async () => {
    const limiter = await store.open();
    for (let i = 1; i <= LIMITS.maxFailedPerIp; i += 1) {
      expect(await isBlocked(limiter, '10.0.1.1', `user${i}@example.com`)).toBe(false);
      await limiter.recordFailure(i % 2 ? 'password' : 'otp', USERS, '10.0.1.1', `user${i}@example.com`);
    }
    expect(await isBlocked(limiter, '10.0.1.1', 'someone-new@example.com')).toBe(true);
    expect(await isBlocked(limiter, '10.0.1.2', 'someone-new@example.com')).toBe(false);
  });

  it("clears the identity's failures on success, but not the IP's", async () => {
    const limiter = await store.open();
    for (let i = 1; i < LIMITS.maxFailedPerIdentity; i += 1) {
      await limiter.recordFailure('password', USERS, '10.0.2.1', 'carol@example.com');
    }
    await limiter.recordSuccess('password', USERS, '10.0.2.1', 'CAROL@example.com');
    // A fresh count: the identity takes N - 1 more failures without being blocked.
    for (let i = 1; i < LIMITS.maxFailedPerIdentity; i += 1) {
      await limiter.recordFailure('password', USERS, '10.0.2.1', 'carol@example.com');
    }
    expect(await isBlocked(limiter, '10.0.2.2', 'carol@example.com')).toBe(false);
    // The IP kept all 2 × (N - 1) = 4 of its failures: one more reaches its limit of 5.
    await limiter.recordFailure('password', USERS, '10.0.2.1', 'dave@example.com');
    expect(await isBlocked(limiter, '10.0.2.1', 'erin@example.com')).toBe(true);
  });

  it('keeps very long identities apart without storing them whole', async () => {
    const limiter = await store.open();
    const long = 'x'.repeat(5_000);
    for (let i = 0; i < LIMITS.maxFailedPerIdentity; i += 1) {
      await limiter.recordFailure('password', USERS, `10.0.3.${i}`, `${long}a`);
    }
    expect(await isBlocked(limiter, '10.0.3.99', `${long}A`)).toBe(true);
    expect(await isBlocked(limiter, '10.0.3.99', `${long}b`)).toBe(false);
  });

  it("refuses with PocketBase's 429", async () => {
    const limiter = await store.open();
    for (let i = 0; i < LIMITS.maxFailedPerIdentity; i += 1) {
      await limiter.recordFailure('otp', USERS, '10.0.4.1', 'otp:record1');
    }
    const refusal = await refusalOf(limiter.assertAllowed('otp', USERS, '10.0.4.1', 'otp:record1'));
    expect(refusal?.toBody()).toEqual({ data: {}, message: 'Too Many Requests.', status: 429 });
  });
});

describe('AuthAttemptLimiter replicas on one Redis', () => {
  it('share the counts: failures on one replica block on the other, a success on one clears both', async () => {
    const [first, second] = [await redis.open(), await redis.open()];
    for (let i = 0; i < LIMITS.maxFailedPerIdentity; i += 1) {
      await (i % 2 ? first : second).recordFailure('password', USERS, `10.0.5.${i}`, 'frank@example.com');
    }
    expect(await isBlocked(first, '10.0.5.99', 'frank@example.com')).toBe(true);
    expect(await isBlocked(second, '10.0.5.99', 'frank@example.com')).toBe(true);

    await second.recordFailure('password', USERS, '10.0.5.50', 'grace@example.com');
    await first.recordSuccess('password', USERS, '10.0.5.50', 'grace@example.com');
    expect(await inspector.keys(`${prefix}:identity:password:${USERS}:grace@example.com`)).toEqual([]);
  });

  it('keeps its keys under the prefix, with the IP and the identity readable', async () => {
    const limiter = await redis.open();
    await limiter.recordFailure('password', USERS, '10.0.6.1', 'Heidi@example.com');
    expect((await inspector.keys(`${prefix}:*`)).sort()).toEqual([
      `${prefix}:identity:password:${USERS}:heidi@example.com`,
      `${prefix}:ip:10.0.6.1`,
    ]);
  });
});

describe('RateLimitModule', () => {
  it.each([
    ['standalone', {}],
    ['distributed', { HB_MODE: 'distributed', REDIS_URL }],
  ])('provides a working AuthAttemptLimiter in %s mode', async (_mode, env) => {
    const config = loadConfig(baseConfigSchema, { ...env, AUTH_MAX_FAILED_PER_IDENTITY: '1' });
    const app = await NestFactory.createApplicationContext(RateLimitModule.forRoot(config), { logger: false });
    try {
      const limiter = app.get(AuthAttemptLimiter);
      // The module keeps the default key prefix: a unique IP and identity keep runs apart.
      const [ip, identity] = [`${prefix}-ip`, `${prefix}-ivan@example.com`];
      await limiter.recordFailure('password', USERS, ip, identity);
      expect(await isBlocked(limiter, `${ip}-other`, identity)).toBe(true);
      await limiter.recordSuccess('password', USERS, ip, identity);
      await inspector.del(`hb:auth-fail:ip:${ip}`);
    } finally {
      await app.close();
    }
  });
});
