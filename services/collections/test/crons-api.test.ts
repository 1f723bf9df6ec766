import { baseConfigSchema, CRON_SCHEDULER, CronRunner, type CronScheduler, loadConfig } from '@hivebase/platform';
import { createServiceApp, requireDatabaseUrl, SchemaRegistry } from '@hivebase/runtime';
import { newRecordId, nowDateTime, randomString } from '@hivebase/schema';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CollectionsModule } from '../src/collections.module';
import { SYSTEM_CRONS } from '../src/crons/system-crons';
import { createAuthRecord } from './support/auth-record';
import { type CollectionsTestApp, startCollectionsApp } from './support/test-app';

let harness: CollectionsTestApp;
let superuser: string;
let user: string;
let scheduler: CronScheduler;
const replicas: NestFastifyApplication[] = [];

beforeAll(async () => {
  harness = await startCollectionsApp('crons-test');
  superuser = (await createAuthRecord(harness.app, '_superusers', 'root@example.com')).token;
  user = (await createAuthRecord(harness.app, 'users', 'user@example.com')).token;
  scheduler = harness.app.get<CronScheduler>(CRON_SCHEDULER);
});
afterAll(async () => {
  for (const replica of replicas) await replica.close();
  await harness?.app.close();
  await harness?.database.drop();
});

const hoursAgo = (hours: number) => nowDateTime(new Date(Date.now() - hours * 3_600_000));

async function call(method: 'GET' | 'POST', url: string, token?: string, raw?: string) {
  const response = await harness.app.inject({
    method,
    url,
    headers: {
      ...(token ? { authorization: token } : {}),
      ...(raw === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(raw === undefined ? {} : { payload: raw }),
  });
  return { status: response.statusCode, text: response.body, body: response.body ? response.json() : undefined };
}

describe('GET /api/crons', () => {
  it('lists the system jobs Hivebase runs, with PocketBase’s ids and schedules', async () => {
    const response = await call('GET', '/api/crons', superuser);
    expect(response.status).toBe(200);
    expect(response.body).toEqual([
      { id: '__pbLogsCleanup__', expression: '0 */6 * * *' },
      { id: '__pbMFACleanup__', expression: '0 * * * *' },
      { id: '__pbOTPCleanup__', expression: '0 * * * *' },
    ]);
  });

  it('puts other jobs first, sorted by id, macros expanded', async () => {
    scheduler.add('zeta', '@daily', async () => {});
    scheduler.add('alpha', '*/5 * * * *', async () => {});
    try {
      const response = await call('GET', '/api/crons', superuser);
      expect(response.body.map((job: { id: string }) => job.id)).toEqual([
        'alpha',
        'zeta',
        '__pbLogsCleanup__',
        '__pbMFACleanup__',
        '__pbOTPCleanup__',
      ]);
      expect(response.body[1]).toEqual({ id: 'zeta', expression: '0 0 * * *' });
    } finally {
      scheduler.remove('zeta');
      scheduler.remove('alpha');
    }
  });

  it.each([
    ['a guest', undefined, 401, 'The request requires valid record authorization token.'],
    ['an invalid token', 'not-a-token', 401, 'The request requires valid record authorization token.'],
    ['a user', 'user', 403, 'The authorized record is not allowed to perform this action.'],
  ])('refuses %s', async (_, token, status, message) => {
    const response = await call('GET', '/api/crons', token === 'user' ? user : token);
    expect(response).toMatchObject({ status, body: { status, message, data: {} } });
  });
});

describe('POST /api/crons/{id}', () => {
  it('answers 204 at once and runs the job in the background', async () => {
    let release = () => {};
    let runs = 0;
    scheduler.add('slow-test-job', '@yearly', async () => {
      await new Promise<void>((resolve) => (release = resolve));
      runs++;
    });
    try {
      const response = await call('POST', '/api/crons/slow-test-job', superuser);
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect(runs).toBe(0);
      release();
      await vi.waitFor(() => expect(runs).toBe(1));
    } finally {
      scheduler.remove('slow-test-job');
    }
  });

  it('a failing job still answers 204 and the service stays up', async () => {
    scheduler.add('failing-test-job', '@yearly', async () => {
      throw new Error('job failure');
    });
    try {
      expect((await call('POST', '/api/crons/failing-test-job', superuser)).status).toBe(204);
      expect((await call('GET', '/api/crons', superuser)).status).toBe(200);
    } finally {
      scheduler.remove('failing-test-job');
    }
  });

  it.each([
    ['an unknown id', '/api/crons/missing'],
    ['a traversal', '/api/crons/..%2F..%2Fsettings'],
    ['an encoded NUL', '/api/crons/%00'],
    ['a very long id', `/api/crons/${'x'.repeat(5_000)}`],
    ['a system-looking id', '/api/crons/__pbDBOptimize__'],
  ])('answers PocketBase’s 404 for %s', async (_, url) => {
    const response = await call('POST', url, superuser);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ status: 404, data: {} });
    expect(typeof response.body.message).toBe('string');
  });

  it('the unknown-id 404 carries PocketBase’s message', async () => {
    const response = await call('POST', '/api/crons/missing', superuser);
    expect(response.body).toEqual({ status: 404, message: 'Missing or invalid cron job.', data: {} });
  });

  it('refuses guests (401) and users (403) without running the job', async () => {
    let runs = 0;
    scheduler.add('guarded-test-job', '@yearly', async () => void runs++);
    try {
      const guest = await call('POST', '/api/crons/guarded-test-job');
      expect(guest).toMatchObject({ status: 401, body: { status: 401, data: {} } });
      const regular = await call('POST', '/api/crons/guarded-test-job', user);
      expect(regular).toMatchObject({ status: 403, body: { status: 403, data: {} } });
      // An unknown id does not tell a guest whether it exists.
      expect((await call('POST', '/api/crons/missing')).status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(runs).toBe(0);
    } finally {
      scheduler.remove('guarded-test-job');
    }
  });

  it('a malformed or unexpected body is a 4xx in PocketBase’s shape, never a 500', async () => {
    for (const raw of ['{not json', '[1,2', '"x"', JSON.stringify({ deep: 'x'.repeat(10_000) })]) {
      const response = await call('POST', '/api/crons/missing', superuser, raw);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body).toMatchObject({ status: response.status, data: {} });
    }
  });
});

describe('the system jobs', () => {
  async function insertBookkeeping(table: '_otps' | '_mfas', collectionRef: string, created: string): Promise<string> {
    const id = newRecordId();
    const extra = table === '_otps' ? { column: 'password', value: 'unused' } : { column: 'method', value: 'password' };
    await harness.pool.query(
      `INSERT INTO "${table}" (id, "collectionRef", "recordRef", "${extra.column}", created, updated) VALUES ($1, $2, $3, $4, $5, $5)`,
      [id, collectionRef, newRecordId(), extra.value, created],
    );
    return id;
  }

  const ids = async (table: string) =>
    (await harness.pool.query<{ id: string }>(`SELECT id FROM "${table}" ORDER BY id`)).rows
      .map((row) => row.id)
      .sort();

  it.each([
    // OTP 180 s and MFA 1800 s by default, in users and _superusers alike.
    ['_otps', SYSTEM_CRONS.otpCleanup.id, 10],
    ['_mfas', SYSTEM_CRONS.mfaCleanup.id, 60],
  ] as const)(
    '%s: %s deletes the records older than their collection’s duration, across auth collections',
    async (table, job, freshSeconds) => {
      const superusers = harness.app.get(SchemaRegistry).find('_superusers')?.id as string;
      const expiredUser = await insertBookkeeping(table, '_pb_users_auth_', hoursAgo(2));
      const expiredSuperuser = await insertBookkeeping(table, superusers, hoursAgo(48));
      const fresh = await insertBookkeeping(table, '_pb_users_auth_', hoursAgo(freshSeconds / 3600));
      expect(await ids(table)).toEqual([expiredUser, expiredSuperuser, fresh].sort());
      expect((await call('POST', `/api/crons/${job}`, superuser)).status).toBe(204);
      await vi.waitFor(async () => expect(await ids(table)).toEqual([fresh]));
      await harness.pool.query(`DELETE FROM "${table}"`);
    },
  );

  it('__pbLogsCleanup__ deletes the logs older than settings.logs.maxDays (5 by default)', async () => {
    const insert = (id: string, created: string) =>
      harness.pool.query(`INSERT INTO "_logs" (id, created, level, message, data) VALUES ($1, $2, 0, 'GET /', '{}')`, [
        id,
        created,
      ]);
    await insert('oldlog', hoursAgo(24 * 6));
    await insert('newlog', hoursAgo(24 * 4));
    expect((await call('POST', '/api/crons/__pbLogsCleanup__', superuser)).status).toBe(204);
    await vi.waitFor(async () => expect(await ids('_logs')).toEqual(['newlog']));
  });
});

describe('two replicas in the distributed shape', () => {
  it('run a due job once per minute between them (the Redis claim), and each lists it', async () => {
    const env = { DATABASE_URL: harness.database.url, LOG_LEVEL: 'silent', HB_MODE: 'distributed' };
    const prefix = `hb-test-${randomString(8)}`;
    for (let index = 0; index < 2; index++) {
      const config = requireDatabaseUrl(loadConfig(baseConfigSchema, { ...env, HB_REDIS_PREFIX: prefix }));
      const replica = await createServiceApp(`crons-replica-${index}`, CollectionsModule, config);
      await replica.init();
      replicas.push(replica);
    }
    const runners = replicas.map((replica) => replica.get<CronScheduler>(CRON_SCHEDULER));
    const runs: number[] = [];
    for (const [index, runner] of runners.entries()) {
      expect(runner).toBeInstanceOf(CronRunner);
      runner.add('count', '* * * * *', async () => void runs.push(index));
    }
    for (const runner of runners) expect(runner.list().map((job) => job.id)).toContain('count');
    const minutes = 5;
    for (let minute = 0; minute < minutes; minute++) {
      const at = new Date(Date.UTC(2030, 0, 1, 3, minute));
      await Promise.all(runners.map((runner) => (runner as CronRunner).tick(at)));
      expect(runs).toHaveLength(minute + 1);
    }
  });
});
