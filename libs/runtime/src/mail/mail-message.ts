/** One HTML mail to one recipient; JSON-serialisable, so it travels as a job's data. */
export interface MailMessage {
  to: { address: string; name?: string };
  subject: string;
  html: string;
}

/** Job name of a mail to send; the auth service runs its handler (see `MailModule`). */
export const MAIL_JOB = 'mail';
