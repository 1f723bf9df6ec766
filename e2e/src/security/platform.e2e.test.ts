import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, SHAPE_NAMES, SUPERUSER } from '../support/auth-fixture';
import { expectApiError, rawRequest, type SecurityFixture, startSecurityFixture } from '../support/security-fixture';

// SECURITY-CHECKLIST items 33, 35, 36: the platform. Expectations are PocketBase v0.39.11's
// (apis/middlewares.go RequireSuperuserAuth and superuserIPsWhitelist, apis/health.go, core/settings_model.go,
// core/collection_model.go's redacted secrets).

const SECRETS = {
  smtp: 'smtp-secret-Qw3rty-0001',
  s3: 's3-secret-Qw3rty-0002',
  backupsS3: 'backups-s3-secret-Qw3rty-0003',
  oauth2: 'oauth2-client-secret-Qw3rty-0004',
  tokenSecret: 'collection-token-secret-Qw3rty-0005-abcdefghij',
};
const NO_AUTH = 'The request requires valid record authorization token.';
const NOT_ALLOWED = 'The authorized record is not allowed to perform this action.';

describe.each(SHAPE_NAMES)('adversarial platform checks (%s)', (shape) => {
  let fixture: SecurityFixture;
  const previousLogLevel = process.env.LOG_LEVEL;

  beforeAll(async () => {
    // Everything the processes would ever log, so a secret written at any level shows up.
    process.env.LOG_LEVEL = 'debug';
    fixture = await startSecurityFixture(shape);
  }, 240_000);
  afterAll(async () => {
    process.env.LOG_LEVEL = previousLogLevel;
    await fixture?.stop();
  });

  const output = () =>
    Object.values(fixture.running.processes)
      .map((process) => process.output())
      .join('\n');

  describe('33. superuser endpoints', () => {
    let member = '';
    /** A signed-in record of the second auth collection, `members`. */
    const memberToken = async () => {
      if (!member) {
        await fixture.root.collection('members').create({
          email: 'member@example.com',
          password: 'member-password-1',
          passwordConfirm: 'member-password-1',
        });
        member = (await fixture.signIn('member@example.com', 'member-password-1', 'members')).authStore.token;
      }
      return member;
    };
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/settings'],
      ['PATCH', '/api/settings', { meta: { appName: 'pwned' } }],
      ['POST', '/api/settings/test/email', { email: 'x@example.com', template: 'verification' }],
      ['POST', '/api/settings/apple/generate-client-secret', {}],
      ['GET', '/api/collections'],
      ['POST', '/api/collections', { name: 'pwned', type: 'base' }],
      ['GET', '/api/collections/notes'],
      ['PATCH', '/api/collections/notes', { listRule: '' }],
      ['DELETE', '/api/collections/notes'],
      ['DELETE', '/api/collections/notes/truncate'],
      ['PUT', '/api/collections/import', { collections: [], deleteMissing: true }],
      ['GET', '/api/collections/meta/scaffolds'],
    ];

    it.each(routes)('%s %s is a 401 without a token', async (method, path, body) => {
      const answer = await fixture.api(path, { method, body });
      expectApiError(answer, 401);
      expect((answer.json as { message: string }).message).toBe(NO_AUTH);
    });

    it.each(routes)('%s %s is a 403 for users of any auth collection', async (method, path, body) => {
      for (const token of [fixture.a.pb.authStore.token, fixture.c.pb.authStore.token, await memberToken()]) {
        const answer = await fixture.api(path, { method, body, token });
        expectApiError(answer, 403);
        expect((answer.json as { message: string }).message).toBe(NOT_ALLOWED);
      }
      expect((await fixture.root.collection('notes').getList(1, 1)).totalItems).toBe(4);
      expect((await fixture.root.settings.getAll()).meta.appName).not.toBe('pwned');
    });

    it('does not let a user impersonate anyone', async () => {
      const answer = await fixture.api(`/api/collections/users/impersonate/${fixture.b.id}`, {
        method: 'POST',
        token: fixture.a.pb.authStore.token,
        body: { duration: 60 },
      });
      expectApiError(answer, 403);
      expectApiError(
        await fixture.api(`/api/collections/users/impersonate/${fixture.b.id}`, { method: 'POST', body: {} }),
        401,
      );
    });
  });

  describe('35. the gateway exposes nothing internal and trusts no client-sent address', () => {
    it.each(['/metrics', '/api/metrics', '/metrics/', '/api/health/upstreams', '/_internal', '/api/_internal'])(
      '%s is not served',
      async (path) => {
        const answer = await fetch(`${fixture.running.baseUrl}${path}`);
        const text = await answer.text();
        expect(answer.status).not.toBe(200);
        expect(text).not.toMatch(/# HELP|# TYPE|process_cpu|nodejs_/);
      },
    );

    it('tells a guest only that it is healthy', async () => {
      const answer = await fixture.api('/api/health');
      expect(answer.json).toEqual({ message: 'API is healthy.', code: 200, data: {} });
    });

    it.each([
      ['an absolute-form request target', 'GET http://127.0.0.1:1/api/settings HTTP/1.1'],
      ['a dot-segment path', 'GET /api/files/../settings HTTP/1.1'],
      ['an encoded dot-segment path', 'GET /api/files/..%2F..%2Fapi%2Fsettings HTTP/1.1'],
      ['a realtime dot-segment path', 'GET /api/realtime/../settings HTTP/1.1'],
      ['a double-slash path', 'GET //api/settings HTTP/1.1'],
    ])('does not route %s around the superuser check', async (_what, head) => {
      const answer = await rawRequest(fixture.running.baseUrl, head);
      expect(answer.status).not.toBe(200);
      expect(answer.body).not.toContain('smtp');
    });

    it('reports the socket address as the client IP, whatever X-Forwarded-For or X-Real-IP say', async () => {
      const answer = await fixture.api('/api/health', {
        token: fixture.root.authStore.token,
        headers: { 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '7.7.7.7', 'cf-connecting-ip': '8.8.8.8' },
      });
      expect(answer.status).toBe(200);
      expect((answer.json as { data: { realIP: string } }).data.realIP).toBe('127.0.0.1');
    });
  });

  describe('36. secrets', () => {
    it('keeps SMTP and S3 secrets out of every settings answer', async () => {
      const patch = await fixture.api('/api/settings', {
        method: 'PATCH',
        token: fixture.root.authStore.token,
        body: {
          smtp: { username: 'mailer', password: SECRETS.smtp },
          s3: {
            enabled: false,
            bucket: 'b',
            region: 'r',
            endpoint: 'https://s3.example.com',
            accessKey: 'ak',
            secret: SECRETS.s3,
          },
          backups: {
            s3: {
              enabled: false,
              bucket: 'b',
              region: 'r',
              endpoint: 'https://s3.example.com',
              accessKey: 'ak',
              secret: SECRETS.backupsS3,
            },
          },
        },
      });
      expect(patch.status).toBe(200);
      const get = await fixture.api('/api/settings', { token: fixture.root.authStore.token });
      expect(get.status).toBe(200);
      for (const answer of [patch, get]) {
        expect(answer.text).not.toContain(SECRETS.smtp);
        expect(answer.text).not.toContain(SECRETS.s3);
        expect(answer.text).not.toContain(SECRETS.backupsS3);
      }
      // stored, only left out of the answers
      const [{ smtp }] = await fixture.sql<{ smtp: string }>(
        `SELECT value -> 'smtp' ->> 'password' AS smtp FROM "_params" WHERE id = 'settings'`,
      );
      expect(smtp).toBe(SECRETS.smtp);
    });

    it('keeps OAuth2 client secrets and token secrets out of collection answers', async () => {
      const update = await fixture.api('/api/collections/members', {
        method: 'PATCH',
        token: fixture.root.authStore.token,
        body: {
          authToken: { secret: SECRETS.tokenSecret },
          oauth2: {
            enabled: true,
            providers: [
              {
                name: 'oidc',
                clientId: 'client',
                clientSecret: SECRETS.oauth2,
                authURL: 'https://idp.example.com/auth',
                tokenURL: 'https://idp.example.com/token',
                userInfoURL: 'https://idp.example.com/me',
              },
            ],
          },
        },
      });
      expect(update.status).toBe(200);
      const answers = [
        update,
        await fixture.api('/api/collections/members', { token: fixture.root.authStore.token }),
        await fixture.api('/api/collections?perPage=100', { token: fixture.root.authStore.token }),
        await fixture.api('/api/collections/members/auth-methods'),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.text).not.toContain(SECRETS.oauth2);
        expect(answer.text).not.toContain(SECRETS.tokenSecret);
      }
      const users = await fixture.api('/api/collections/users', { token: fixture.root.authStore.token });
      expect(users.json).toMatchObject({ authToken: { duration: expect.any(Number) } });
      expect(users.json).not.toHaveProperty('authToken.secret');
    });

    it('never writes secrets, passwords or tokens to the process output', async () => {
      // sign-ins, failures and writes that carry secrets, so the log lines that could leak them exist
      await fixture.signIn(fixture.a.email, fixture.a.password);
      await failure(fixture.client().collection('users').authWithPassword(fixture.c.email, 'a-wrong-password-XYZ'));
      await failure(
        fixture.a.pb.collection('users').update(fixture.a.id, {
          oldPassword: 'wrong-old-password-XYZ',
          password: 'next-password-XYZ',
          passwordConfirm: 'next-password-XYZ',
        }),
      );
      await fixture.api('/api/settings', {
        method: 'PATCH',
        token: fixture.root.authStore.token,
        body: { smtp: { password: SECRETS.smtp } },
      });
      const logged = output();
      expect(logged.length).toBeGreaterThan(0);
      for (const secret of [
        ...Object.values(SECRETS),
        SUPERUSER.password,
        fixture.a.password,
        fixture.b.password,
        'a-wrong-password-XYZ',
        'wrong-old-password-XYZ',
        'next-password-XYZ',
        fixture.a.pb.authStore.token,
        fixture.root.authStore.token,
        fixture.a.pb.authStore.token.split('.')[2],
      ]) {
        expect(logged, `the output holds ${secret}`).not.toContain(secret);
      }
      expect(logged).not.toMatch(/\$2[aby]\$\d\d\$/);
    });
  });

  // These two change what the fixture relies on, so they run last.
  describe('33/35. IP-based protections ignore client-sent addresses', () => {
    it('enforces the superuser IP allow-list, X-Forwarded-For or not', async () => {
      const set = await fixture.api('/api/settings', {
        method: 'PATCH',
        token: fixture.root.authStore.token,
        body: { superuserIPs: ['10.11.12.13'] },
      });
      expect(set.status).toBe(200);
      const spoofs: Record<string, string>[] = [
        {},
        { 'x-forwarded-for': '10.11.12.13' },
        { 'x-real-ip': '10.11.12.13' },
      ];
      for (const headers of spoofs) {
        const answer = await fixture.api('/api/settings', { token: fixture.root.authStore.token, headers });
        expectApiError(answer, 403);
      }
      // users are not affected
      expect(
        (await fixture.api('/api/collections/notes/records', { token: fixture.a.pb.authStore.token })).status,
      ).toBe(200);
    });

    it('counts failed sign-ins per socket address, not per X-Forwarded-For', async () => {
      const attempt = (index: number) =>
        fixture.api('/api/collections/users/auth-with-password', {
          method: 'POST',
          headers: { 'x-forwarded-for': `203.0.113.${index}`, 'x-real-ip': `198.51.100.${index}` },
          body: { identity: `nobody-${index}@example.com`, password: 'guess-password' },
        });
      // 20 failures per IP (AUTH_MAX_FAILED_PER_IP): earlier tests in this file failed a few times already
      const statuses: number[] = [];
      for (let index = 1; index <= 21; index++) statuses.push((await attempt(index)).status);
      expect(statuses).toContain(429);
      expect(statuses.at(-1)).toBe(429);
    });
  });
});
