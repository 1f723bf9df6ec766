import { newRecordId, nowDateTime } from '@hivebase/schema';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AuthFixture, failure, SHAPE_NAMES, startAuthFixture } from './support/auth-fixture';

const SYSTEM_JOBS = [
  { id: '__pbLogsCleanup__', expression: '0 */6 * * *' },
  { id: '__pbMFACleanup__', expression: '0 * * * *' },
  { id: '__pbOTPCleanup__', expression: '0 * * * *' },
];
const PASSWORD = 'crons-user-password-1';
const agoMs = (ms: number) => nowDateTime(new Date(Date.now() - ms));

describe.each(SHAPE_NAMES)('crons through the SDK (%s)', (shape) => {
  let fixture: AuthFixture;
  let db: pg.Client;
  let userToken = '';

  beforeAll(async () => {
    fixture = await startAuthFixture(shape);
    db = new pg.Client({ connectionString: fixture.database.url });
    await db.connect();
    await fixture.root
      .collection('users')
      .create({ email: 'crons-user@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
    const pb = fixture.client();
    userToken = (await pb.collection('users').authWithPassword('crons-user@example.com', PASSWORD)).token;
  });
  afterAll(async () => {
    await db?.end();
    await fixture?.stop();
  });

  it('pb.crons.getFullList() lists the system jobs', async () => {
    expect(await fixture.root.crons.getFullList()).toEqual(SYSTEM_JOBS);
  });

  it('lists __pbAutoBackup__ while settings.backups.cron is set', async () => {
    await fixture.root.settings.update({ backups: { cron: '30 3 * * *' } });
    await vi.waitFor(
      async () =>
        expect(await fixture.root.crons.getFullList()).toEqual([
          ...SYSTEM_JOBS,
          { id: '__pbAutoBackup__', expression: '30 3 * * *' },
        ]),
      { timeout: 15_000, interval: 250 },
    );
    await fixture.root.settings.update({ backups: { cron: '' } });
    await vi.waitFor(async () => expect(await fixture.root.crons.getFullList()).toEqual(SYSTEM_JOBS), {
      timeout: 15_000,
      interval: 250,
    });
  });

  it('pb.crons.run() runs the job: __pbOTPCleanup__ deletes the expired OTPs only', async () => {
    // A sign-in code requested 10 minutes ago (users' OTPs last 180 s by default) and one just now.
    const insert = async (created: string) => {
      const id = newRecordId();
      await db.query(
        `INSERT INTO "_otps" (id, "collectionRef", "recordRef", password, "sentTo", created, updated)
         VALUES ($1, '_pb_users_auth_', $2, 'unused', '', $3, $3)`,
        [id, newRecordId(), created],
      );
      return id;
    };
    const expired = await insert(agoMs(10 * 60_000));
    const fresh = await insert(agoMs(5_000));
    const otps = () => fixture.root.collection('_otps').getFullList({ sort: 'created' });
    expect((await otps()).map((otp) => otp.id)).toEqual([expired, fresh]);
    expect(await fixture.root.crons.run('__pbOTPCleanup__')).toBe(true);
    await vi.waitFor(async () => expect((await otps()).map((otp) => otp.id)).toEqual([fresh]), {
      timeout: 10_000,
      interval: 100,
    });
  });

  it('pb.crons.run() runs the job: __pbLogsCleanup__ deletes the logs older than maxDays', async () => {
    await db.query(
      `INSERT INTO "_logs" (id, created, level, message, data) VALUES ('cronsoldlog0001', $1, 0, 'GET /old', '{}')`,
      [agoMs(30 * 24 * 3_600_000)],
    );
    const oldLogs = async () =>
      (await fixture.root.logs.getList(1, 10, { filter: 'message = "GET /old"' })).items.map((log) => log.id);
    expect(await oldLogs()).toEqual(['cronsoldlog0001']);
    expect(await fixture.root.crons.run('__pbLogsCleanup__')).toBe(true);
    await vi.waitFor(async () => expect(await oldLogs()).toEqual([]), { timeout: 10_000, interval: 100 });
  });

  it('an unknown job is PocketBase’s 404', async () => {
    const error = await failure(fixture.root.crons.run('missing'));
    expect(error.status).toBe(404);
    expect(error.response).toEqual({ status: 404, message: 'Missing or invalid cron job.', data: {} });
  });

  it('guests get 401 and users 403, listing or running', async () => {
    const guest = fixture.client();
    const user = fixture.client();
    user.authStore.save(userToken);
    for (const [client, status] of [
      [guest, 401],
      [user, 403],
    ] as const) {
      expect((await failure(client.crons.getFullList())).status).toBe(status);
      expect((await failure(client.crons.run('__pbOTPCleanup__'))).status).toBe(status);
    }
  });
});
