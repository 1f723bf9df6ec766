export interface MailModuleOptions {
  /**
   * Register the `MAIL_JOB` handler (the SMTP sender) in this process. Exactly one module of the
   * app may set it, since a job name takes one handler: the auth service's.
   */
  worker: boolean;
  /** Tries per mail (default `MAIL_ATTEMPTS`); tests lower it. */
  attempts?: number;
  /** First retry delay in ms, doubled on each retry (default `MAIL_BACKOFF_MS`). */
  backoffMs?: number;
}

export const MAIL_MODULE_OPTIONS = Symbol('MAIL_MODULE_OPTIONS');
