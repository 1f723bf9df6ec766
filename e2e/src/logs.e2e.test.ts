// The auth service's loopback OpenID Connect server (oidc-provider), self-contained: reused as is.
import { type OidcServer, startOidcServer } from '@hivebase/auth/testing';
import type { LogModel } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AuthFixture, failure, SHAPE_NAMES, SUPERUSER, startAuthFixture } from './support/auth-fixture';
import { mailMark, otpMailedTo } from './support/mail';
import { enableOidcSignIn, PROPAGATION } from './support/oidc';

// Logs are batched off the request path (a job per batch): they land shortly after the response.
const LANDING = { timeout: 15_000, interval: 200 };
const PASSWORD = 'logs-user-password-1';

describe.each(SHAPE_NAMES)('request logs through the SDK (%s)', (shape) => {
  let fixture: AuthFixture;
  let idp: OidcServer;
  /** Everything a log must never contain, gathered while the traffic runs. */
  const secrets: string[] = [SUPERUSER.password, PASSWORD];
  let userId = '';
  let userToken = '';

  beforeAll(async () => {
    idp = await startOidcServer();
    idp.accounts.set('olive', { email: 'olive@example.com', emailVerified: true });
    fixture = await startAuthFixture(shape);
    secrets.push(fixture.root.authStore.token, idp.clientSecret);
    await fixture.root.settings.update({ logs: { maxDays: 7, logIP: true, logAuthId: true } });
    await enableOidcSignIn(fixture.root, fixture.client(), idp);
    await fixture.root.collections.update('users', { otp: { enabled: true } });
    await vi.waitFor(async () => {
      expect((await fixture.client().collection('users').listAuthMethods()).otp.enabled).toBe(true);
    }, PROPAGATION);

    // Real traffic: a sign-up, password, OTP and OAuth2 sign-ins, a failed sign-in, a 404.
    const user = await fixture
      .client()
      .collection('users')
      .create({ email: 'logs-user@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
    userId = user.id;
    const pb = fixture.client();
    userToken = (await pb.collection('users').authWithPassword('logs-user@example.com', PASSWORD)).token;
    secrets.push(userToken);
    await failure(fixture.client().collection('users').authWithPassword('logs-user@example.com', 'wrong-password-9'));
    secrets.push('wrong-password-9');

    const mark = mailMark(fixture.smtp);
    const { otpId } = await fixture.client().collection('users').requestOTP('logs-user@example.com');
    const code = await otpMailedTo(fixture.smtp, 'logs-user@example.com', mark);
    const otpAuth = await fixture.client().collection('users').authWithOTP(otpId, code);
    secrets.push(code, otpAuth.token);

    const methods = await fixture.client().collection('users').listAuthMethods();
    const provider = methods.oauth2.providers[0];
    const authorized = await idp.authorize(provider.authURL, 'olive');
    const oauth2 = await fixture
      .client()
      .collection('users')
      .authWithOAuth2Code('oidc', authorized.code, provider.codeVerifier, idp.redirectURL);
    secrets.push(authorized.code, provider.codeVerifier, oauth2.token);
    // The redirect a provider sends the browser to carries its code in the query.
    const redirectCode = 'provider-code-abcdef123456';
    await fetch(`${fixture.running.baseUrl}/api/oauth2-redirect?code=${redirectCode}&state=some-state-value-42`);
    secrets.push(redirectCode, 'some-state-value-42');
    // A protected file's token travels in the query too.
    const fileToken = await pb.files.getToken();
    await fetch(`${fixture.running.baseUrl}/api/files/users/${userId}/nothing.png?token=${fileToken}`);
    secrets.push(fileToken);

    expect((await failure(pb.collection('users').getOne('nosuchrecord000'))).status).toBe(404);
    // The dashboard's own requests are logged too, as PocketBase's.
    expect((await fetch(`${fixture.running.baseUrl}/_/`)).status).toBe(200);
  }, 240_000);
  afterAll(async () => {
    await fixture?.stop();
    await idp?.close();
  });

  /** Every stored log, once `ready` says the traffic so far has landed. */
  async function landedLogs(ready: (logs: LogModel[]) => boolean): Promise<LogModel[]> {
    let logs: LogModel[] = [];
    await vi.waitFor(async () => {
      logs = (await fixture.root.logs.getList(1, 1000, { sort: '-@rowid' })).items;
      expect(ready(logs)).toBe(true);
    }, LANDING);
    return logs;
  }

  it('keeps every request in PocketBase’s shape, with the auth, the IPs and the status', async () => {
    // Batches may land out of order (an entry with a token waits for its check, one without does
    // not): wait for every request the test looks at.
    const logs = await landedLogs((all) =>
      [
        (log: LogModel) => log.data.url?.startsWith('/api/files/'),
        (log: LogModel) => log.data.url === '/api/collections/users/records/nosuchrecord000',
        (log: LogModel) => log.data.url === '/api/collections/users/auth-with-password' && log.data.status === 200,
        (log: LogModel) => log.data.url === '/api/collections/users/auth-with-password' && log.data.status === 400,
        (log: LogModel) => log.data.url === '/_/',
        (log: LogModel) => log.data.auth === '_superusers',
      ].every((wanted) => all.some(wanted)),
    );
    const signIn = logs.find(
      (log) => log.data.url === '/api/collections/users/auth-with-password' && log.data.status === 200,
    );
    expect(signIn).toMatchObject({
      level: 0,
      message: 'POST /api/collections/users/auth-with-password',
      data: {
        type: 'request',
        method: 'POST',
        status: 200,
        auth: '',
        userIP: '127.0.0.1',
        remoteIP: '127.0.0.1',
        referer: '',
        userAgent: expect.any(String),
      },
    });
    expect(signIn?.id).toMatch(/^[a-z0-9]{15}$/);
    expect(signIn?.created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(typeof signIn?.data.execTime).toBe('number');

    const notFound = logs.find((log) => log.data.url === '/api/collections/users/records/nosuchrecord000');
    expect(notFound).toMatchObject({
      level: 8,
      data: {
        status: 404,
        auth: 'users',
        authId: userId,
        // As PocketBase: the API error's message and its data.
        error: "The requested resource wasn't found.",
        details: {},
      },
    });
    const refusedSignIn = logs.find(
      (log) => log.data.url === '/api/collections/users/auth-with-password' && log.data.status === 400,
    );
    expect(refusedSignIn).toMatchObject({ level: 8, data: { error: 'Failed to authenticate.', details: {} } });
    expect(logs.find((log) => log.data.url === '/_/')).toMatchObject({ level: 0, message: 'GET /_/' });
    // Superusers' requests are logged too (the dashboard's toggle filters them).
    expect(logs.some((log) => log.data.auth === '_superusers')).toBe(true);
  });

  it('filters on data.* with the filter language, and views one log', async () => {
    await landedLogs((all) => all.some((log) => log.data.status === 404));
    const failed = await fixture.root.logs.getList(1, 50, { filter: 'data.status >= 400 && data.method = "POST"' });
    expect(failed.totalItems).toBeGreaterThan(0);
    for (const log of failed.items) {
      expect(log.data.status).toBeGreaterThanOrEqual(400);
      expect(log.data.method).toBe('POST');
    }
    const one = await fixture.root.logs.getOne(failed.items[0].id);
    expect(one).toEqual(failed.items[0]);
    expect((await failure(fixture.root.logs.getOne('nosuchlog000000'))).status).toBe(404);
    // A bad filter is a 400 in PocketBase's shape, never a 500.
    const bad = await failure(fixture.root.logs.getList(1, 10, { filter: 'data.status >>= 1' }));
    expect(bad.status).toBe(400);
    expect(bad.response).toMatchObject({ status: 400, message: expect.any(String), data: expect.any(Object) });
    for (const hostile of ['nosuch = 1', "data.status = 1' OR 1=1 --", '@collection.users.id != ""']) {
      expect((await failure(fixture.root.logs.getList(1, 10, { filter: hostile }))).status).toBe(400);
    }
    expect((await failure(fixture.root.logs.getList(1, 10, { sort: 'data.nope;drop table _logs' }))).status).toBe(400);
  });

  it('counts the logs per hour', async () => {
    const stats = await fixture.root.logs.getStats({ filter: 'data.status > 0' });
    expect(stats.length).toBeGreaterThan(0);
    for (const item of stats) {
      expect(item.date).toMatch(/^\d{4}-\d\d-\d\d \d\d:00:00$/);
      expect(item.total).toBeGreaterThan(0);
    }
    expect((await failure(fixture.root.logs.getStats({ filter: '(((' }))).status).toBe(400);
  });

  it('answers guests 401 and other users 403', async () => {
    const guest = fixture.client();
    const user = fixture.client();
    user.authStore.save(userToken, null);
    for (const call of [
      (pb: typeof guest) => pb.logs.getList(),
      (pb: typeof guest) => pb.logs.getStats(),
      (pb: typeof guest) => pb.logs.getOne('abcdefghijklmno'),
      (pb: typeof guest) => pb.logs.truncate(),
    ]) {
      expect((await failure(call(guest))).status).toBe(401);
      expect((await failure(call(user))).status).toBe(403);
    }
  });

  it('never stores passwords, tokens, codes or secrets', async () => {
    const logs = await landedLogs(
      (all) =>
        all.some((log) => log.data.url?.startsWith('/api/files/')) &&
        all.some((log) => log.data.url === '/api/collections/users/records/nosuchrecord000'),
    );
    const stored = JSON.stringify(logs);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(5);
      expect(stored).not.toContain(secret);
    }
    // As PocketBase, the OAuth2 redirect (a redirect to the dashboard's failure page here) is not
    // logged when it succeeds; the file token in the files request's query is redacted.
    expect(logs.some((log) => log.data.url?.startsWith('/api/oauth2-redirect'))).toBe(false);
    const file = logs.find((log) => log.data.url?.startsWith('/api/files/users/'));
    expect(file?.data.url).toMatch(/\?token=\[redacted\]$/);
  });

  it('truncates the logs', async () => {
    expect(await fixture.root.logs.truncate()).toBe(true);
    const after = await fixture.root.logs.getList(1, 1000);
    // Only requests that landed after the truncate remain (the logs API's own successes are not logged).
    expect(after.items.every((log) => !log.data.url?.startsWith('/api/collections/users/auth-with'))).toBe(true);
  });
});
