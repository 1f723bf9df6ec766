import { type AuthCollection, makeField, normalizeCollection } from '@hivebase/schema';
import { describe, expect, it } from 'vitest';
import type { RecordRow } from '../auth/auth-record-cache';
import { defaultSettings, type Settings } from '../settings/settings.model';
import { type AuthMailKind, composeAuthMail } from './compose-auth-mail';

function membersCollection(templates: Record<string, unknown> = {}): AuthCollection {
  const { collection } = normalizeCollection({
    name: 'members',
    type: 'auth',
    fields: [
      makeField('text', 'name'),
      makeField('number', 'age'),
      makeField('bool', 'vip'),
      makeField('select', 'tags', { values: ['a', 'b'], maxSelect: 2 }),
      makeField('json', 'prefs'),
      makeField('text', 'note', { hidden: true }),
    ],
    ...templates,
  });
  return collection as AuthCollection;
}

const record: RecordRow = {
  id: 'abc123def456ghi',
  email: 'ann@example.com',
  emailVisibility: false,
  verified: false,
  password: '$2a$10$hashhashhash',
  tokenKey: 'token-key-secret',
  name: 'Ann <b>& "Co"</b>',
  age: 42,
  vip: true,
  tags: ['a', 'b'],
  prefs: { theme: 'dark' },
  note: 'hidden note',
};

function settings(meta: Partial<Settings['meta']> = {}): Settings {
  const base = defaultSettings();
  return { ...base, meta: { ...base.meta, appName: 'Hive', appURL: 'https://hive.example.com', ...meta } };
}

const template = (subject: string, body: string) => ({ subject, body });

/** A collection whose `kind` template is `subject`/`body` (the others keep their defaults). */
function withTemplate(kind: AuthMailKind, subject: string, body: string): AuthCollection {
  const value = template(subject, body);
  const templates: Record<AuthMailKind, Record<string, unknown>> = {
    verification: { verificationTemplate: value },
    passwordReset: { resetPasswordTemplate: value },
    emailChange: { confirmEmailChangeTemplate: value },
    otp: { otp: { emailTemplate: value } },
    authAlert: { authAlert: { enabled: true, emailTemplate: value } },
  };
  return membersCollection(templates[kind]);
}

describe('composeAuthMail', () => {
  it.each<AuthMailKind>(['verification', 'passwordReset', 'emailChange', 'otp', 'authAlert'])(
    'renders the %s template of the collection',
    (kind) => {
      const collection = withTemplate(kind, `${kind} for {APP_NAME}`, `<p>${kind}: {TOKEN}{OTP}{ALERT_INFO}</p>`);
      const message = composeAuthMail(kind, {
        collection,
        record,
        settings: settings(),
        token: 'T',
        otp: 'O',
        alertInfo: 'A',
      });
      expect(message.subject).toBe(`${kind} for Hive`);
      expect(message.html).toContain(`<p>${kind}: TOA</p>`);
    },
  );

  it('fills the default verification template and wraps it in an HTML page', () => {
    const message = composeAuthMail('verification', {
      collection: membersCollection(),
      record,
      settings: settings(),
      token: 'eyJ.token.sig',
    });
    expect(message.to).toEqual({ address: 'ann@example.com' });
    expect(message.subject).toBe('Verify your Hive email');
    expect(message.html).toMatch(/^<!DOCTYPE html>/);
    expect(message.html).toContain('href="https://hive.example.com/_/#/auth/confirm-verification/eyJ.token.sig"');
    expect(message.html).not.toMatch(/\{[A-Z_]+\}/);
  });

  it('sends to `to` when given (an email change goes to the new address)', () => {
    const message = composeAuthMail('emailChange', {
      collection: membersCollection(),
      record,
      settings: settings(),
      to: 'new@example.com',
      token: 't',
    });
    expect(message.to).toEqual({ address: 'new@example.com' });
  });

  it('fills {RECORD:field} with any visible field, as text', () => {
    const body = '{RECORD:id}|{RECORD:email}|{RECORD:age}|{RECORD:vip}|{RECORD:tags}|{RECORD:prefs}|{RECORD:verified}';
    const collection = withTemplate('otp', 'Hi {RECORD:name}', body);
    const message = composeAuthMail('otp', { collection, record, settings: settings(), otp: '1' });
    expect(message.html).toContain(
      'abc123def456ghi|ann@example.com|42|true|a, b|{&quot;theme&quot;:&quot;dark&quot;}|false',
    );
  });

  it('escapes values in the HTML body and leaves the subject unescaped', () => {
    const collection = withTemplate(
      'authAlert',
      '{APP_NAME}: {RECORD:name} {ALERT_INFO}',
      '<p>{APP_NAME} {RECORD:name} {ALERT_INFO}</p>',
    );
    const message = composeAuthMail('authAlert', {
      collection,
      record,
      settings: settings({ appName: 'Q&A' }),
      alertInfo: '<script>alert(1)</script>',
    });
    expect(message.subject).toBe('Q&A: Ann <b>& "Co"</b> <script>alert(1)</script>');
    expect(message.html).toContain(
      '<p>Q&amp;A Ann &lt;b&gt;&amp; &quot;Co&quot;&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
    expect(message.html).not.toContain('<script>');
  });

  it('never renders password, tokenKey or hidden fields, and leaves their placeholders as written', () => {
    const body = '{RECORD:password}|{RECORD:tokenKey}|{RECORD:note}|{RECORD:missing}';
    const collection = withTemplate('verification', '{RECORD:tokenKey}', body);
    const message = composeAuthMail('verification', { collection, record, settings: settings(), token: 't' });
    expect(message.subject).toBe('{RECORD:tokenKey}');
    expect(message.html).toContain(body);
    expect(`${message.subject}${message.html}`).not.toMatch(/hashhash|token-key-secret|hidden note/);
  });

  it('leaves placeholders without a value as written, and never expands placeholders inside values', () => {
    const collection = withTemplate('verification', '{TOKEN}', '<p>{TOKEN}|{OTP}|{RECORD:name}</p>');
    const sneaky = { ...record, name: '{TOKEN}{APP_NAME}' };
    const message = composeAuthMail('verification', { collection, record: sneaky, settings: settings() });
    expect(message.subject).toBe('{TOKEN}');
    expect(message.html).toContain('<p>{TOKEN}|{OTP}|{TOKEN}{APP_NAME}</p>');
  });

  it('fills {OTP_ID} when given', () => {
    const collection = withTemplate('otp', 'Code', '<p>{OTP} ({OTP_ID})</p>');
    const message = composeAuthMail('otp', {
      collection,
      record,
      settings: settings(),
      otp: '123456',
      otpId: 'otp1',
    });
    expect(message.html).toContain('<p>123456 (otp1)</p>');
  });
});
