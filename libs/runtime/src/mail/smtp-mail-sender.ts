import { Inject, Injectable } from '@nestjs/common';
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import type { DeepReadonly, SmtpConfig } from '../settings/settings.model';
import { SettingsService } from '../settings/settings.service';
import type { MailMessage } from './mail-message';

/**
 * SMTP is off in the settings. PocketBase falls back to the local `sendmail` there; Hivebase
 * runs in containers without one, so the mail cannot go out at all.
 */
export class SmtpDisabledError extends Error {
  constructor(message: MailMessage) {
    super(`SMTP is disabled in the settings: "${message.subject}" to ${message.to.address} was not sent`);
    this.name = 'SmtpDisabledError';
  }
}

/** The SMTP server refused the mail or could not be reached; `cause` is nodemailer's error. */
export class MailDeliveryError extends Error {
  constructor(message: MailMessage, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`sending "${message.subject}" to ${message.to.address} failed: ${reason}`, { cause });
    this.name = 'MailDeliveryError';
  }
}

/** nodemailer options for PocketBase's SMTP settings. */
export function smtpTransportOptions(smtp: DeepReadonly<SmtpConfig>): SMTPTransportOptions {
  return {
    host: smtp.host,
    port: smtp.port,
    // `tls` is implicit TLS (port 465 style); otherwise nodemailer upgrades with STARTTLS when offered.
    secure: smtp.tls,
    name: smtp.localName || undefined,
    auth: smtp.username || smtp.password ? { user: smtp.username, pass: smtp.password } : undefined,
    // PocketBase: LOGIN when asked for, PLAIN otherwise.
    authMethod: smtp.authMethod === 'LOGIN' ? 'LOGIN' : 'PLAIN',
    // A dead server must fail the attempt (and let the queue retry), not hold a worker for minutes.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
}

/**
 * Sends one mail now through the SMTP server in the current settings (read on every send, so a
 * settings change applies to the next mail). Rejects with `SmtpDisabledError` or
 * `MailDeliveryError`. The mail job's handler and the test-email endpoint both use it.
 */
@Injectable()
export class SmtpMailSender {
  constructor(@Inject(SettingsService) private readonly settings: SettingsService) {}

  async deliver(message: MailMessage): Promise<void> {
    const { smtp, meta } = this.settings.get();
    if (!smtp.enabled) throw new SmtpDisabledError(message);
    // A transport per mail: settings may have changed since the last one, and mail is infrequent.
    // Loaded at the first mail, not at start-up (most processes never send one).
    const { createTransport } = await import('nodemailer');
    const transport = createTransport(smtpTransportOptions(smtp));
    try {
      await transport.sendMail({
        from: { name: meta.senderName, address: meta.senderAddress },
        to: { name: message.to.name ?? '', address: message.to.address },
        subject: message.subject,
        html: message.html,
      });
    } catch (error) {
      throw new MailDeliveryError(message, error);
    } finally {
      transport.close();
    }
  }
}
