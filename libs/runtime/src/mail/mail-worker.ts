import { JOB_QUEUE, type JobQueue } from '@hivebase/platform';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { MAIL_JOB, type MailMessage } from './mail-message';
import { SmtpDisabledError, SmtpMailSender } from './smtp-mail-sender';

/**
 * Runs `MAIL_JOB`: sends the mail over SMTP. A failure is thrown, so the queue retries with
 * backoff and, once attempts run out, logs "job failed, no attempts left" with the error (which
 * names the recipient and subject).
 */
@Injectable()
export class MailWorker implements OnModuleInit {
  private readonly logger = new Logger(MailWorker.name);

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(SmtpMailSender) private readonly sender: SmtpMailSender,
  ) {}

  onModuleInit(): void {
    this.queue.register<MailMessage>(MAIL_JOB, (message, { jobId }) => this.run(message, jobId));
  }

  private async run(message: MailMessage, jobId: string): Promise<void> {
    try {
      await this.sender.deliver(message);
    } catch (error) {
      if (!(error instanceof SmtpDisabledError)) throw error;
      // Not retried: disabled SMTP is a setting, not a passing fault, so every retry would fail
      // the same way, and an OTP or reset link arriving half a minute late helps nobody. The job
      // ends here with the failure logged once.
      this.logger.error({
        msg: 'mail not sent: SMTP is disabled in the settings',
        jobId,
        to: message.to.address,
        subject: message.subject,
      });
      return;
    }
    this.logger.debug({ msg: 'mail sent', jobId, to: message.to.address, subject: message.subject });
  }
}
