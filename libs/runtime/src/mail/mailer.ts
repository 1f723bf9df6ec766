import { JOB_QUEUE, type JobQueue } from '@hivebase/platform';
import { Inject, Injectable } from '@nestjs/common';
import { MAIL_JOB, type MailMessage } from './mail-message';
import { MAIL_MODULE_OPTIONS, type MailModuleOptions } from './mail-module-options';

/** Default tries per mail: with a 2 s first backoff, doubled each time, the last try is ~30 s after the first. */
export const MAIL_ATTEMPTS = 5;
export const MAIL_BACKOFF_MS = 2_000;

/**
 * Sends mail through the job queue, so a request never waits for SMTP and a flaky server is
 * retried with backoff. Any service may enqueue; the auth service's worker sends.
 */
@Injectable()
export class Mailer {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(MAIL_MODULE_OPTIONS) private readonly options: MailModuleOptions,
  ) {}

  /** Enqueues one mail job; resolves once it is queued (not sent). */
  async send(message: MailMessage): Promise<void> {
    await this.queue.enqueue<MailMessage>(MAIL_JOB, message, {
      attempts: this.options.attempts ?? MAIL_ATTEMPTS,
      backoffMs: this.options.backoffMs ?? MAIL_BACKOFF_MS,
    });
  }
}
