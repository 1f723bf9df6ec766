import { type DynamicModule, Global, Module } from '@nestjs/common';
import { MAIL_MODULE_OPTIONS, type MailModuleOptions } from './mail-module-options';
import { MailWorker } from './mail-worker';
import { Mailer } from './mailer';
import { SmtpMailSender } from './smtp-mail-sender';

/**
 * Mail for every module: `Mailer` (enqueue a mail) and `SmtpMailSender` (send one now). Needs
 * the global `SettingsService` and `JOB_QUEUE` (both from `CoreModule`).
 *
 * `forRoot({ worker: true })` also runs the mail job in this process; only the auth service
 * imports that form, every other service `forRoot({ worker: false })`. In standalone mode all of
 * them share one in-process queue, so a second worker form would fail boot (a job name takes one
 * handler).
 */
@Global()
@Module({})
export class MailModule {
  static forRoot(options: MailModuleOptions): DynamicModule {
    return {
      module: MailModule,
      providers: [
        { provide: MAIL_MODULE_OPTIONS, useValue: options },
        Mailer,
        SmtpMailSender,
        ...(options.worker ? [MailWorker] : []),
      ],
      exports: [Mailer, SmtpMailSender],
    };
  }
}
