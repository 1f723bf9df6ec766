import type { AuthCollection, EmailTemplate, Field } from '@hivebase/schema';
import { definitionOf } from '@hivebase/schema';
import type { RecordRow } from '../auth/auth-record-cache';
import type { ReadonlySettings } from '../settings/settings.model';
import type { MailMessage } from './mail-message';

export type AuthMailKind = 'verification' | 'passwordReset' | 'emailChange' | 'otp' | 'authAlert';

export interface AuthMailInput {
  collection: AuthCollection;
  record: RecordRow;
  settings: ReadonlySettings;
  /** Recipient; default the record's email (an email change goes to the new address). */
  to?: string;
  token?: string;
  otp?: string;
  otpId?: string;
  alertInfo?: string;
}

const TEMPLATE_OF: Record<AuthMailKind, (collection: AuthCollection) => EmailTemplate> = {
  verification: (collection) => collection.verificationTemplate,
  passwordReset: (collection) => collection.resetPasswordTemplate,
  emailChange: (collection) => collection.confirmEmailChangeTemplate,
  otp: (collection) => collection.otp.emailTemplate,
  authAlert: (collection) => collection.authAlert.emailTemplate,
};

/** Never rendered, whatever the template asks for (they are hidden anyway; this guards a misconfigured field). */
const SECRET_FIELDS = new Set(['password', 'tokenKey']);

const PLACEHOLDER = /\{(APP_NAME|APP_URL|TOKEN|OTP_ID|OTP|ALERT_INFO|RECORD:[^{}]+)\}/g;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/** A field's value as text, from its JSON output: lists joined, objects as JSON. */
function fieldText(field: Field, record: RecordRow): string {
  const value = definitionOf(field).toJson(field, record[field.name]);
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Placeholder values (unescaped) by placeholder name; absent ones stay in the text as written. */
function placeholderValues(input: AuthMailInput): Map<string, string> {
  const values = new Map<string, string>([
    ['APP_NAME', input.settings.meta.appName],
    ['APP_URL', input.settings.meta.appURL],
  ]);
  const optional = { TOKEN: input.token, OTP: input.otp, OTP_ID: input.otpId, ALERT_INFO: input.alertInfo };
  for (const [name, value] of Object.entries(optional)) if (value !== undefined) values.set(name, value);
  // As PocketBase: only visible fields, so a template cannot leak hidden data into a mail.
  for (const field of input.collection.fields) {
    if (field.hidden || field.type === 'password' || SECRET_FIELDS.has(field.name)) continue;
    values.set(`RECORD:${field.name}`, fieldText(field, input.record));
  }
  return values;
}

/**
 * One pass over the text, so a value that itself looks like a placeholder (a user's name
 * `{TOKEN}`) is never expanded.
 */
function fill(text: string, values: Map<string, string>, encode: (value: string) => string): string {
  return text.replace(PLACEHOLDER, (match, name: string) => {
    const value = values.get(name);
    return value === undefined ? match : encode(value);
  });
}

/** A plain page around the template's HTML, so `.btn` links look like buttons in most clients. */
function layout(content: string): string {
  return [
    '<!DOCTYPE html>',
    '<html>',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<style>',
    'body{margin:0;padding:20px 30px;font-family:sans-serif;font-size:14px;line-height:20px;color:#16161a;background:#fff}',
    'p{margin:10px 0}',
    '.btn{display:inline-block;padding:0 20px;line-height:40px;border-radius:6px;background:#16161a;color:#fff !important;font-weight:bold;text-decoration:none}',
    '</style>',
    '</head>',
    '<body>',
    content,
    '</body>',
    '</html>',
  ].join('\n');
}

/**
 * Renders the collection's template for `kind` into a message for `to` (default: the record's
 * email). Placeholders as PocketBase: `{APP_NAME}`, `{APP_URL}`, `{TOKEN}`, `{OTP}`, `{OTP_ID}`,
 * `{ALERT_INFO}`, `{RECORD:fieldName}` (visible fields only; never password/tokenKey). Values are
 * HTML-escaped in the body and left as they are in the subject (a plain-text header).
 */
export function composeAuthMail(kind: AuthMailKind, input: AuthMailInput): MailMessage {
  const template = TEMPLATE_OF[kind](input.collection);
  const values = placeholderValues(input);
  const address = input.to ?? String(input.record.email ?? '');
  return {
    to: { address },
    subject: fill(template.subject, values, (value) => value),
    html: layout(fill(template.body, values, escapeHtml)),
  };
}
