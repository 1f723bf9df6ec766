import { baseConfigSchema, EVENT_BUS, type EventBus, loadConfig, PG_POOL } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import {
  createServiceApp,
  defaultSettings,
  requireDatabaseUrl,
  SETTINGS_CHANGED,
  SETTINGS_PARAM_ID,
  type Settings,
  SettingsService,
  toPublicSettings,
} from '@hivebase/runtime';
import { randomString } from '@hivebase/schema';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CollectionsModule } from '../src/collections.module';
import { createAuthRecord } from './support/auth-record';

let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;
let superuserToken: string;
let userToken: string;
const extraApps: NestFastifyApplication[] = [];

type Json = Record<string, unknown>;

async function startApp(env: Record<string, string> = {}): Promise<NestFastifyApplication> {
  const config = requireDatabaseUrl(
    loadConfig(baseConfigSchema, { DATABASE_URL: database.url, LOG_LEVEL: 'silent', ...env }),
  );
  const started = await createServiceApp('settings-test', CollectionsModule, config);
  await started.init();
  await started.getHttpAdapter().getInstance().ready();
  return started;
}

/** A request as the SDK sends it; `raw` sends a JSON text as is (to test malformed bodies). */
async function call(
  method: 'GET' | 'PATCH',
  body?: unknown,
  options: { token?: string; target?: NestFastifyApplication; raw?: string } = {},
) {
  const { token = superuserToken, target = app, raw } = options;
  const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const response = await target.inject({
    method,
    url: '/api/settings',
    headers: {
      ...(token ? { authorization: token } : {}),
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: response.statusCode, body: (response.body ? response.json() : {}) as Json, text: response.body };
}

/** The stored row's document, secrets included. */
async function stored(): Promise<Settings> {
  const { rows } = await pool.query<{ value: Settings }>('SELECT value FROM "_params" WHERE id = $1', [
    SETTINGS_PARAM_ID,
  ]);
  return rows[0].value;
}

/** Polls until `check` passes (bus deliveries are asynchronous). */
async function eventually(check: () => void, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startApp();
  pool = app.get<Pool>(PG_POOL);
  superuserToken = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  userToken = (await createAuthRecord(app, 'users', 'u@example.com')).token;
});

afterAll(async () => {
  vi.useRealTimers();
  for (const extra of extraApps) await extra.close();
  await app?.close();
  await database?.drop();
});

describe('access', () => {
  it.each([
    ['GET', 'a guest', '', 401, 'The request requires valid record authorization token.'],
    ['GET', 'a users record', 'user', 403, 'The authorized record is not allowed to perform this action.'],
    ['PATCH', 'a guest', '', 401, 'The request requires valid record authorization token.'],
    ['PATCH', 'a users record', 'user', 403, 'The authorized record is not allowed to perform this action.'],
  ] as const)('%s refuses %s', async (method, _who, which, status, message) => {
    const token = which === 'user' ? userToken : '';
    const response = await call(method, method === 'PATCH' ? { meta: { appName: 'x' } } : undefined, { token });
    expect(response).toMatchObject({ status, body: { data: {}, message, status } });
  });

  it('leaves the document alone after refused PATCHes', async () => {
    expect((await call('GET')).body.meta).toMatchObject({ appName: 'Acme' });
  });
});

describe('GET /api/settings', () => {
  it("answers PocketBase's defaults, in PocketBase's key order, without secrets", async () => {
    const { status, text } = await call('GET');
    expect(status).toBe(200);
    expect(text).toBe(JSON.stringify(toPublicSettings(defaultSettings())));
    expect(text).toContain(
      '"smtp":{"enabled":false,"port":587,"host":"smtp.example.com","username":"","authMethod":"","tls":false,"localName":""}',
    );
    expect(text).toContain('"batch":{"enabled":false,"maxRequests":50,"timeout":3,"maxBodySize":0}');
    expect(text).toContain('{"label":"*:auth","audience":"","duration":3,"maxRequests":2}');
    expect(text).not.toMatch(/"password"|"secret"/);
  });
});

describe('PATCH /api/settings', () => {
  it('deep-merges the submitted keys over the stored document', async () => {
    const first = await call('PATCH', { meta: { appName: 'Hive' }, batch: { enabled: true } });
    expect(first.status).toBe(200);
    expect(first.body.meta).toEqual({ ...defaultSettings().meta, appName: 'Hive' });
    expect(first.body.batch).toEqual({ enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 });

    const second = await call('PATCH', {
      meta: { senderName: 'Hive Support' },
      rateLimits: { rules: [{ label: '/api/', maxRequests: 100, duration: 10 }] },
      trustedProxy: { headers: ['X-Real-IP'], useLeftmostIP: true },
      superuserIPs: ['127.0.0.1', '10.0.0.0/8'],
      unknownKey: true,
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      meta: { appName: 'Hive', senderName: 'Hive Support', appURL: 'http://localhost:8090' },
      batch: { enabled: true },
      rateLimits: { rules: [{ label: '/api/', audience: '', duration: 10, maxRequests: 100 }], enabled: false },
      trustedProxy: { headers: ['X-Real-IP'], useLeftmostIP: true },
      superuserIPs: ['127.0.0.1', '10.0.0.0/8'],
    });
    expect(second.body).not.toHaveProperty('unknownKey');
    expect((await call('GET')).body).toEqual(second.body);
  });

  it('treats an empty body as no change', async () => {
    const before = await call('GET');
    const response = await call('PATCH');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(before.body);
  });

  it('stores secrets, never answers them, and keeps them when a PATCH sends them empty', async () => {
    const s3 = { enabled: true, bucket: 'b', region: 'r', endpoint: 'https://s3.example.com', accessKey: 'ak' };
    const set = await call('PATCH', {
      smtp: { password: 'smtp-pass' },
      s3: { ...s3, secret: 's3-secret' },
      backups: { s3: { secret: 'backup-secret' } },
    });
    expect(set.status).toBe(200);
    expect(set.text).not.toMatch(/"password"|"secret"|smtp-pass|s3-secret|backup-secret/);
    expect((await call('GET')).text).not.toMatch(/"password"|"secret"/);

    // What a dashboard form round-trip sends back: the answer plus empty secrets.
    const roundTrip = await call('PATCH', {
      ...set.body,
      smtp: { ...(set.body.smtp as Json), password: '' },
      s3: { ...(set.body.s3 as Json), secret: '' },
      backups: { s3: { secret: '' } },
    });
    expect(roundTrip.status).toBe(200);
    const row = await stored();
    expect([row.smtp.password, row.s3.secret, row.backups.s3.secret]).toEqual([
      'smtp-pass',
      's3-secret',
      'backup-secret',
    ]);

    expect((await call('PATCH', { smtp: { password: 'rotated' } })).status).toBe(200);
    expect((await stored()).smtp.password).toBe('rotated');
    // s3 stays valid while enabled because the kept secret counts.
    expect((await call('PATCH', { s3: { enabled: false } })).status).toBe(200);
  });

  const SAVE_FAILED = 'An error occurred while saving the new settings.';
  const LOAD_FAILED = 'An error occurred while loading the submitted data.';
  const required = { code: 'validation_required', message: 'Cannot be blank.' };
  const min = (threshold: number) => ({
    code: 'validation_min_greater_equal_than_required',
    message: `Must be no less than ${threshold}.`,
    params: { threshold },
  });
  const invalid = { code: 'validation_invalid_value', message: 'Invalid value.' };

  it.each<[string, unknown, string, Json]>([
    ['an empty app name', { meta: { appName: '' } }, SAVE_FAILED, { meta: { appName: required } }],
    [
      'an invalid app URL',
      { meta: { appURL: 'not a url' } },
      SAVE_FAILED,
      { meta: { appURL: { code: 'validation_is_url', message: 'Must be a valid URL.' } } },
    ],
    [
      'an invalid sender address',
      { meta: { senderAddress: 'nobody' } },
      SAVE_FAILED,
      { meta: { senderAddress: { code: 'validation_is_email', message: 'Must be a valid email address.' } } },
    ],
    ['smtp enabled without a host', { smtp: { enabled: true, host: '' } }, SAVE_FAILED, { smtp: { host: required } }],
    ['a negative smtp port', { smtp: { port: -1 } }, SAVE_FAILED, { smtp: { port: min(0) } }],
    [
      'an unknown smtp auth method',
      { smtp: { authMethod: 'XOAUTH2' } },
      SAVE_FAILED,
      { smtp: { authMethod: { code: 'validation_in_invalid', message: 'Must be a valid value.' } } },
    ],
    [
      // The secret stored by an earlier test is kept, so it does not count as missing.
      's3 enabled without its keys',
      { s3: { enabled: true, bucket: '', region: '', endpoint: '', accessKey: '' } },
      SAVE_FAILED,
      { s3: { accessKey: required, bucket: required, endpoint: required, region: required } },
    ],
    [
      'backups s3 enabled without its keys',
      { backups: { s3: { enabled: true } } },
      SAVE_FAILED,
      { backups: { s3: { accessKey: required, bucket: required, endpoint: required, region: required } } },
    ],
    [
      'an invalid backups cron',
      { backups: { cron: 'every day' } },
      SAVE_FAILED,
      {
        backups: {
          cron: { code: 'validation_invalid_cron', message: 'Invalid cron expression - expected 5 segments, got 2.' },
        },
      },
    ],
    [
      'a backups cron without cronMaxKeep',
      { backups: { cron: '0 0 * * *', cronMaxKeep: 0 } },
      SAVE_FAILED,
      { backups: { cronMaxKeep: required } },
    ],
    ['a negative batch maxRequests', { batch: { maxRequests: -5 } }, SAVE_FAILED, { batch: { maxRequests: min(0) } }],
    [
      'batch enabled without maxRequests and timeout',
      { batch: { enabled: true, maxRequests: 0, timeout: 0 } },
      SAVE_FAILED,
      { batch: { maxRequests: required, timeout: required } },
    ],
    ['a negative batch maxBodySize', { batch: { maxBodySize: -1 } }, SAVE_FAILED, { batch: { maxBodySize: min(0) } }],
    ['negative log days', { logs: { maxDays: -1 } }, SAVE_FAILED, { logs: { maxDays: min(0) } }],
    [
      'rate limits enabled without rules',
      { rateLimits: { enabled: true, rules: [] } },
      SAVE_FAILED,
      { rateLimits: { rules: required } },
    ],
    [
      'bad rate-limit rules',
      { rateLimits: { rules: [{ label: 'not a label!', audience: 'admins', duration: 0, maxRequests: -1 }] } },
      SAVE_FAILED,
      {
        rateLimits: {
          rules: {
            0: {
              audience: { code: 'validation_in_invalid', message: 'Must be a valid value.' },
              duration: required,
              label: { code: 'validation_match_invalid', message: 'Must be in a valid format.' },
              maxRequests: min(1),
            },
          },
        },
      },
    ],
    [
      'conflicting rate-limit rules',
      {
        rateLimits: {
          rules: [
            { label: '*:auth', duration: 3, maxRequests: 2 },
            { label: '*:auth', duration: 1, maxRequests: 1 },
          ],
        },
      },
      SAVE_FAILED,
      {
        rateLimits: {
          rules: {
            1: {
              label: {
                code: 'validation_conflicting_rate_limit_rule',
                message:
                  'Rate limit rule configuration with label *:auth already exists or conflicts with another rule.',
                params: { label: '*:auth' },
              },
            },
          },
        },
      },
    ],
    [
      'a bad superuser IP',
      { superuserIPs: ['300.1.1.1'] },
      SAVE_FAILED,
      { superuserIPs: { 0: { code: 'validation_is_ip', message: 'Must be a valid IP address or CIDR range.' } } },
    ],
    ['an array body', [], LOAD_FAILED, {}],
    ['a string body', 'meta', LOAD_FAILED, {}],
    ['a section of the wrong type', { meta: 'Hive' }, LOAD_FAILED, { meta: invalid }],
    [
      'values of the wrong types',
      { batch: { enabled: 'yes', maxRequests: 1.5 }, smtp: { port: '25' }, trustedProxy: { headers: [1] } },
      LOAD_FAILED,
      {
        batch: { enabled: invalid, maxRequests: invalid },
        smtp: { port: invalid },
        trustedProxy: { headers: { 0: invalid } },
      },
    ],
  ])('answers %s with a PocketBase 400 and stores nothing', async (_case, body, message, data) => {
    const before = await stored();
    const response = await call('PATCH', body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ data, message, status: 400 });
    expect(await stored()).toEqual(before);
  });

  it('answers malformed JSON with a 400, not a 500', async () => {
    const response = await call('PATCH', undefined, { raw: '{"meta":' });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ data: {}, status: 400 });
  });

  it('sorts nested error keys as Go does', async () => {
    const response = await call('PATCH', { meta: { senderName: '', appName: '' }, batch: { timeout: -1 } });
    expect(response.text).toMatch(
      /^\{"data":\{"batch":\{"timeout":.*\},"meta":\{"appName":.*,"senderName":.*\}\},"message"/,
    );
  });
});

describe('across processes', () => {
  it('a new app on the same database loads the saved document', async () => {
    await call('PATCH', { meta: { appName: 'Persisted' } });
    const restarted = await startApp();
    extraApps.push(restarted);
    expect(restarted.get(SettingsService).get().meta.appName).toBe('Persisted');
    expect((await call('GET', undefined, { target: restarted })).body.meta).toMatchObject({ appName: 'Persisted' });
  });

  it('a replica reloads on settings.changed and, failing that, on its periodic version check', async () => {
    // The replica's interval timers are fake, so only the bus event (or an explicit tick) refreshes it.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const replica = await startApp();
      extraApps.push(replica);
      const replicaSettings = replica.get(SettingsService);
      const replicaBus = replica.get<EventBus>(EVENT_BUS);

      // Two apps in one process have separate in-process buses: this PATCH's event stays in `app`.
      await call('PATCH', { meta: { appName: 'From app one' } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(replicaSettings.get().meta.appName).toBe('Persisted');

      await replicaBus.publish(SETTINGS_CHANGED, { updated: new Date().toISOString() });
      await eventually(() => expect(replicaSettings.get().meta.appName).toBe('From app one'));

      // An event that never arrives: the version check notices the newer row.
      await call('PATCH', { meta: { appName: 'Missed event' } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(replicaSettings.get().meta.appName).toBe('From app one');
      vi.advanceTimersByTime(5_000);
      await eventually(() => expect(replicaSettings.get().meta.appName).toBe('Missed event'));
    } finally {
      vi.useRealTimers();
    }
  });

  it('a PATCH publishes settings.changed on its bus, with no settings in the payload', async () => {
    const bus = app.get<EventBus>(EVENT_BUS);
    const received: unknown[] = [];
    const unsubscribe = await bus.subscribe(SETTINGS_CHANGED, (payload) => {
      received.push(payload);
    });
    try {
      await call('PATCH', { smtp: { password: 'bus-check' } });
      await eventually(() => expect(received).toHaveLength(1));
      expect(Object.keys(received[0] as Json)).toEqual(['updated']);
      expect(app.get(SettingsService).get().smtp.password).toBe('bus-check');
    } finally {
      await unsubscribe();
    }
  });

  it('replicas on a shared Redis bus see each other’s PATCH', async () => {
    const [one, two] = [await startApp({ HB_MODE: 'distributed' }), await startApp({ HB_MODE: 'distributed' })];
    extraApps.push(one, two);
    const appName = `Via Redis ${randomString(6)}`;
    const response = await call('PATCH', { meta: { appName } }, { target: one });
    expect(response.status).toBe(200);
    await eventually(() => expect(two.get(SettingsService).get().meta.appName).toBe(appName));
  });
});
