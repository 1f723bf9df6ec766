import type { CapturedMail, SmtpCapture } from '@hivebase/platform/testing';

/** The confirm pages the default templates link to, one per account flow. */
export type AccountAction = 'confirm-verification' | 'confirm-password-reset' | 'confirm-email-change';

/**
 * Where the capture stands now. Take it before the request that sends a mail: the mail may
 * arrive before the request's answer is read.
 */
export const mailMark = (capture: SmtpCapture): number => capture.messages.length;

/** The first mail to `to` matching `predicate` that arrived after `mark`, waiting for it if need be. */
function mailTo(
  capture: SmtpCapture,
  to: string,
  mark: number,
  predicate: (mail: CapturedMail) => boolean,
): Promise<CapturedMail> {
  return capture.waitForMail(
    (mail) => capture.messages.indexOf(mail) >= mark && mail.to.includes(to) && predicate(mail),
  );
}

/** The token in the `action` link of a mail to `to` sent after `mark`. */
export async function tokenMailedTo(
  capture: SmtpCapture,
  to: string,
  action: AccountAction,
  mark = 0,
): Promise<string> {
  const mail = await mailTo(capture, to, mark, (candidate) => candidate.html.includes(`/auth/${action}/`));
  const token = new RegExp(`/auth/${action}/([\\w-]+\\.[\\w-]+\\.[\\w-]+)`).exec(mail.html)?.[1];
  if (!token) throw new Error(`no ${action} link in the mail to ${to}: ${mail.html}`);
  return token;
}

/** The one-time password in an OTP mail to `to` sent after `mark`. */
export async function otpMailedTo(capture: SmtpCapture, to: string, mark = 0): Promise<string> {
  const mail = await mailTo(capture, to, mark, (candidate) => candidate.subject.startsWith('One-time password'));
  const code = /<strong>(\d+)<\/strong>/.exec(mail.html)?.[1];
  if (!code) throw new Error(`no one-time password in the mail to ${to}: ${mail.html}`);
  return code;
}

/** Recipients of every mail captured so far. */
export const recipients = (capture: SmtpCapture): string[] => capture.messages.flatMap((mail) => mail.to);
