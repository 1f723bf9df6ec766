import { randomUUID } from 'node:crypto';
import {
  BullJobQueue,
  EVENT_BUS,
  freePort,
  InProcessEventBus,
  InProcessJobQueue,
  JOB_QUEUE,
  type JobQueue,
  PG_POOL,
} from '@hivebase/platform';
import {
  createTestDatabase,
  type LogEntry,
  RecordingLogger,
  type SmtpCapture,
  smtpSettingsFor,
  startSmtpCapture,
  type TestDatabase,
} from '@hivebase/platform/testing';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SettingsModule } from '../settings/settings.module';
import { SettingsService } from '../settings/settings.service';
import { MailModule } from './mail.module';
import type { MailMessage } from './mail-message';
import type { MailModuleOptions } from './mail-module-options';
import { Mailer } from './mailer';
import { MailDeliveryError } from './smtp-mail-sender';

const REDIS_URL = process.env.HB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// BullMQ keys of this run only; afterAll deletes them.
const BULL_PREFIX = `hbtest-mail-${randomUUID().slice(0, 8)}`;

let database: TestDatabase;
let pool: pg.Pool;
let capture: SmtpCapture;
const closing: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url });
  capture = await startSmtpCapture();
});

afterEach(async () => {
  for (const resource of closing.splice(0).reverse()) await resource.close();
  capture.clear();
});

afterAll(async () => {
  await capture?.close();
  await pool?.end();
  await database?.drop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${BULL_PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

@Module({})
class InfraModule {}
@Module({})
class MailTestAppModule {}
@Module({})
class CollectionsLikeModule {}
@Module({})
class AuthLikeModule {}

interface MailApp {
  app: INestApplicationContext;
  queue: JobQueue;
  mailer: Mailer;
  settings: SettingsService;
  /** What the queue logs (retries, failures). */
  queueLog: RecordingLogger;
  /** What Nest's `Logger` got (the mail worker logs through it). */
  appLog: RecordingLogger;
}

/**
 * The mail module on a real queue, settings on the test database, wired as `CoreModule` wires
 * them; `features` stand in for the services' modules.
 */
async function startMailApp(
  queue: JobQueue,
  queueLog: RecordingLogger,
  features: DynamicModule[] = [MailModule.forRoot({ worker: true, backoffMs: 20 })],
): Promise<MailApp> {
  const bus = new InProcessEventBus();
  const infra: DynamicModule = {
    module: InfraModule,
    global: true,
    providers: [
      { provide: PG_POOL, useValue: pool },
      { provide: EVENT_BUS, useValue: bus },
      { provide: JOB_QUEUE, useValue: queue },
    ],
    exports: [PG_POOL, EVENT_BUS, JOB_QUEUE],
  };
  const appLog = new RecordingLogger();
  const app = await NestFactory.createApplicationContext(
    { module: MailTestAppModule, imports: [infra, SettingsModule, ...features] },
    { logger: appLog },
  );
  // As JobsModule does at bootstrap: handlers are registered by now.
  await queue.start();
  closing.push(bus, queue, app);
  return { app, queue, mailer: app.get(Mailer), settings: app.get(SettingsService), queueLog, appLog };
}

async function startInProcess(features?: DynamicModule[]): Promise<MailApp> {
  const queueLog = new RecordingLogger();
  return startMailApp(new InProcessJobQueue({ logger: queueLog }), queueLog, features);
}

const message = (to: string, subject = `Hello ${to}`): MailMessage => ({
  to: { address: to, name: 'Ann Example' },
  subject,
  html: '<p>Hi <strong>there</strong></p>',
});

const isFailure = (entry: LogEntry) => entry.fields.msg === 'job failed, no attempts left';

describe('mail job on the in-process queue', () => {
  it('sends a queued mail over SMTP, From the sender in the settings', async () => {
    const { mailer, settings } = await startInProcess();
    await settings.update({
      ...smtpSettingsFor(capture),
      meta: { senderName: 'Hive', senderAddress: 'hive@example.com' },
    });

    await mailer.send(message('ann@example.com', 'Welcome'));
    const mail = await capture.waitForMail((m) => m.subject === 'Welcome');
    expect(mail).toMatchObject({ from: '"Hive" <hive@example.com>', to: ['ann@example.com'] });
    expect(mail.html.trim()).toBe('<p>Hi <strong>there</strong></p>');
    expect(mail.text).toContain('Hi there');
  });

  it('reads the settings at send time, so a change applies to the next mail', async () => {
    const { mailer, settings } = await startInProcess();
    await settings.update({ ...smtpSettingsFor(capture), meta: { senderName: 'Before' } });
    await mailer.send(message('a@example.com', 'first'));
    expect((await capture.waitForMail((m) => m.subject === 'first')).from).toContain('"Before"');

    await settings.update({ meta: { senderName: 'After' } });
    await mailer.send(message('a@example.com', 'second'));
    expect((await capture.waitForMail((m) => m.subject === 'second')).from).toContain('"After"');
  });

  it('logs in with the username and password, by the configured method', async () => {
    const { mailer, settings } = await startInProcess();
    const smtp = { ...smtpSettingsFor(capture).smtp, username: 'mailer', password: 'pa55', authMethod: 'LOGIN' };
    await settings.update({ smtp });
    await mailer.send(message('b@example.com', 'with login'));
    await capture.waitForMail((m) => m.subject === 'with login');
    expect(capture.logins).toEqual([{ method: 'LOGIN', username: 'mailer', password: 'pa55' }]);

    await settings.update({ smtp: { authMethod: 'PLAIN' } });
    await mailer.send(message('b@example.com', 'plain login'));
    await capture.waitForMail((m) => m.subject === 'plain login');
    expect(capture.logins.at(-1)).toEqual({ method: 'PLAIN', username: 'mailer', password: 'pa55' });
  });

  it('retries after a temporary SMTP failure, then delivers', async () => {
    const { mailer, settings, queueLog } = await startInProcess();
    await settings.update(smtpSettingsFor(capture));
    capture.rejectNext(1);

    await mailer.send(message('c@example.com', 'flaky'));
    const mail = await capture.waitForMail((m) => m.subject === 'flaky');
    expect(mail.to).toEqual(['c@example.com']);
    expect(capture.messages.filter((m) => m.subject === 'flaky')).toHaveLength(1);
    const [retry] = await queueLog.waitFor(1, (entry) => entry.fields.msg === 'job failed, retrying');
    expect(retry.fields).toMatchObject({ job: 'mail', attempt: 1, attempts: 5 });
    expect((retry.fields.err as Error).message).toMatch(/"flaky" to c@example\.com failed: .*Try again later/);
  });

  it('logs the failure, naming recipient and subject, once the attempts ran out', async () => {
    const { mailer, settings, queueLog } = await startInProcess([
      MailModule.forRoot({ worker: true, attempts: 2, backoffMs: 10 }),
    ]);
    // Nobody listens on this port: every attempt is refused.
    await settings.update({ smtp: { ...smtpSettingsFor(capture).smtp, port: await freePort() } });

    await mailer.send(message('d@example.com', 'doomed'));
    const [failure] = await queueLog.waitFor(1, isFailure);
    expect(failure.level).toBe('error');
    expect(failure.fields).toMatchObject({ job: 'mail', attempt: 2, attempts: 2 });
    expect(failure.fields.err).toBeInstanceOf(MailDeliveryError);
    expect((failure.fields.err as Error).message).toMatch(/^sending "doomed" to d@example\.com failed: /);
    expect(capture.messages).toEqual([]);
  });

  it('does not send while SMTP is disabled: logs an error naming recipient and subject, without retrying', async () => {
    const { mailer, settings, queue, queueLog, appLog } = await startInProcess();
    await settings.update({ smtp: { ...smtpSettingsFor(capture).smtp, enabled: false } });

    await mailer.send(message('e@example.com', 'nowhere'));
    const [logged] = await appLog.waitFor(1, (entry) => entry.level === 'error');
    expect(logged.fields).toMatchObject({
      msg: 'mail not sent: SMTP is disabled in the settings',
      to: 'e@example.com',
      subject: 'nowhere',
    });
    // Closing waits for the running job: a failure would have been logged by then.
    await queue.close();
    expect(queueLog.items.filter((entry) => entry.level !== 'log')).toEqual([]);
    expect(capture.messages).toEqual([]);
  });

  it('runs one worker when, as in standalone mode, one module enqueues and another sends', async () => {
    const collections = { module: CollectionsLikeModule, imports: [MailModule.forRoot({ worker: false })] };
    const auth = { module: AuthLikeModule, imports: [MailModule.forRoot({ worker: true })] };
    const { app, settings } = await startInProcess([collections, auth]);
    await settings.update(smtpSettingsFor(capture));
    // Whichever Mailer a module gets, the one worker sends the mail.
    await app.select(collections).get(Mailer).send(message('f@example.com', 'from collections'));
    await app.select(auth).get(Mailer).send(message('f@example.com', 'from auth'));
    await capture.waitForMail((m) => m.subject === 'from collections');
    await capture.waitForMail((m) => m.subject === 'from auth');
  });
});

describe('mail job on BullMQ (distributed mode)', () => {
  async function startBull(options: MailModuleOptions): Promise<MailApp> {
    const queueLog = new RecordingLogger();
    const queue = await BullJobQueue.connect(REDIS_URL, { prefix: BULL_PREFIX, logger: queueLog });
    return startMailApp(queue, queueLog, [MailModule.forRoot(options)]);
  }

  it('a service without the worker enqueues, the auth service’s worker sends', async () => {
    const collections = await startBull({ worker: false });
    const auth = await startBull({ worker: true });
    // Only the worker's settings matter: it reads them when it sends.
    await auth.settings.update(smtpSettingsFor(capture));

    await collections.mailer.send(message('g@example.com', 'via redis'));
    const mail = await capture.waitForMail((m) => m.subject === 'via redis');
    expect(mail.to).toEqual(['g@example.com']);
  });
});
