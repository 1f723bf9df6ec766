import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../net/free-port';

/** A mail the capture server accepted, parsed. */
export interface CapturedMail {
  /** The From header as text, e.g. `"Support" <support@example.com>`. */
  from: string;
  /** Envelope recipients (RCPT TO). */
  to: string[];
  subject: string;
  html: string;
  text: string;
}

/** A successful SMTP AUTH, to check the credentials and method a client used. */
export interface CapturedLogin {
  method: string;
  username: string;
  password: string;
}

export interface SmtpCapture {
  readonly host: string;
  readonly port: number;
  /** Every accepted mail, oldest first. */
  readonly messages: CapturedMail[];
  readonly logins: CapturedLogin[];
  /** The first mail (already received or still to come) matching `predicate`; rejects after `timeoutMs`. */
  waitForMail(predicate: (mail: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  /** Answers the next `count` mails with a temporary failure (451), as a flaky server would. */
  rejectNext(count?: number): void;
  clear(): void;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * A real SMTP server on a free loopback port that keeps every mail it receives: no TLS (STARTTLS
 * is not offered), any credentials accepted, authentication optional.
 */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const logins: CapturedLogin[] = [];
  const arrived = new Set<() => void>();
  let toReject = 0;

  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push({ method: auth.method, username: auth.username ?? '', password: auth.password ?? '' });
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      if (toReject > 0) {
        toReject -= 1;
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Try again later'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream)
        .then((parsed) => {
          messages.push({
            from: parsed.from?.text ?? '',
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            subject: parsed.subject ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            text: parsed.text ?? '',
          });
          for (const notify of arrived) notify();
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });

  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    host: HOST,
    port,
    messages,
    logins,
    waitForMail(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (!found) return;
          done();
          resolve(found);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching mail within ${timeoutMs} ms (received ${messages.length})`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          arrived.delete(check);
        };
        arrived.add(check);
        check();
      });
    },
    rejectNext(count = 1) {
      toReject += count;
    },
    clear() {
      messages.length = 0;
      logins.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The settings patch that points SMTP at `capture` (for `SettingsService.update` or `PATCH /api/settings`). */
export function smtpSettingsFor(capture: Pick<SmtpCapture, 'host' | 'port'>) {
  return { smtp: { enabled: true, host: capture.host, port: capture.port, tls: false } };
}
