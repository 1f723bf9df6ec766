import { isIP } from 'node:net';
import type { ErrorData, FieldError } from '@hivebase/contracts';
import type { ReadonlySettings, S3Config, Settings } from './settings.model';

// ozzo-validation's errors as PocketBase answers them (message sentenised, params kept).
const required = (): FieldError => ({ code: 'validation_required', message: 'Cannot be blank.' });
const min = (threshold: number): FieldError => ({
  code: 'validation_min_greater_equal_than_required',
  message: `Must be no less than ${threshold}.`,
  params: { threshold },
});
const lengthOutOfRange = (lo: number, hi: number): FieldError => ({
  code: 'validation_length_out_of_range',
  message: `The length must be between ${lo} and ${hi}.`,
  params: { min: lo, max: hi },
});
const notIn = (): FieldError => ({ code: 'validation_in_invalid', message: 'Must be a valid value.' });
const badUrl = (): FieldError => ({ code: 'validation_is_url', message: 'Must be a valid URL.' });
const badEmail = (): FieldError => ({ code: 'validation_is_email', message: 'Must be a valid email address.' });
const badHost = (): FieldError => ({ code: 'validation_is_host', message: 'Must be a valid IP address or DNS name.' });
const badPattern = (): FieldError => ({ code: 'validation_match_invalid', message: 'Must be in a valid format.' });

/** Go's `govalidator.IsDNSName` pattern (labels of word characters and dashes). */
const DNS_NAME = /^([a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})(\.[a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})*[._]?$/;
const URL_SCHEMES = new Set(['http:', 'https:', 'ftp:', 'tcp:', 'udp:', 'ws:', 'wss:']);
const EMAIL = /^[^\s@"<>(),;:\\[\]]+@[^\s@"<>(),;:\\[\]]+$/;
/** PocketBase's rate-limit label forms: `METHOD /path`, `/path`, `collection:action`, `*:action`, `tag`. */
const RATE_LIMIT_LABEL = /^(\w+ \/[\w/-]*|\/[\w/-]*|\w+:\w+|\*:\w+|\w+)$/;
const SMTP_AUTH_METHODS = ['PLAIN', 'LOGIN'];
const RATE_LIMIT_AUDIENCES = ['', '@guest', '@auth'];

/** An IP address or a DNS name, as ozzo's `is.Host` accepts. */
export function isHost(value: string): boolean {
  if (isIP(value) !== 0) return true;
  return value.length <= 255 && DNS_NAME.test(value);
}

/**
 * ozzo's `is.URL` (govalidator `IsURL`): a web-ish scheme or none, a host, no whitespace. The
 * scheme is optional there, so `example.com/x` passes as well.
 */
export function isUrl(value: string): boolean {
  if (value.length <= 3 || value.length >= 2083 || /\s/.test(value) || value.startsWith('.')) return false;
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  if (!URL_SCHEMES.has(url.protocol)) return false;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return host !== '' && isHost(host);
}

export function isEmail(value: string): boolean {
  if (!EMAIL.test(value) || value.length > 254) return false;
  return isHost(value.slice(value.lastIndexOf('@') + 1));
}

/** An IP address or a CIDR range (`10.0.0.0/8`, `2001:db8::/32`). */
export function isIpOrCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const CRON_FIELDS: readonly { name: string; lo: number; hi: number }[] = [
  { name: 'minute', lo: 0, hi: 59 },
  { name: 'hour', lo: 0, hi: 23 },
  { name: 'day of month', lo: 1, hi: 31 },
  { name: 'month', lo: 1, hi: 12 },
  { name: 'day of week', lo: 0, hi: 6 },
];

function cronSegmentProblem(segment: string, lo: number, hi: number): boolean {
  return segment.split(',').some((part) => {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) return true;
    const [, , from, to, step] = match;
    if (step !== undefined && Number(step) < 1) return true;
    if (from === undefined) return false;
    const start = Number(from);
    const end = to === undefined ? start : Number(to);
    return start < lo || end > hi || start > end;
  });
}

/** Why `expression` is not a valid 5-field cron expression (PocketBase's `cron.NewSchedule`), or null. */
export function cronExpressionProblem(expression: string): string | null {
  const trimmed = expression.trim();
  if (CRON_MACROS.has(trimmed)) return null;
  const segments = trimmed.split(/\s+/);
  if (segments.length !== 5) return `Invalid cron expression - expected 5 segments, got ${segments.length}.`;
  for (const [index, field] of CRON_FIELDS.entries()) {
    if (cronSegmentProblem(segments[index], field.lo, field.hi)) {
      return `Invalid cron ${field.name} segment "${segments[index]}" (allowed ${field.lo}-${field.hi}).`;
    }
  }
  return null;
}

/** Collects field errors in one object; a field keeps its first failing rule, as with ozzo. */
class Problems {
  readonly data: ErrorData = {};

  check(key: string, ...rules: (FieldError | false | null | undefined)[]): void {
    const failed = rules.find((rule): rule is FieldError => Boolean(rule));
    if (failed) this.data[key] = failed;
  }

  nest(key: string, nested: ErrorData): void {
    if (Object.keys(nested).length > 0) this.data[key] = nested;
  }
}

const runeLength = (value: string) => [...value].length;

function validateS3(s3: S3Config): ErrorData {
  const p = new Problems();
  // is.URL runs before Required there; an empty endpoint only fails Required.
  p.check('endpoint', s3.endpoint !== '' && !isUrl(s3.endpoint) && badUrl(), s3.enabled && !s3.endpoint && required());
  for (const key of ['bucket', 'region', 'accessKey', 'secret'] as const) {
    p.check(key, s3.enabled && !s3[key] && required());
  }
  return p.data;
}

function validateRateLimitRules(settings: ReadonlySettings['rateLimits']): FieldError | ErrorData | null {
  const { rules, enabled } = settings;
  if (enabled && rules.length === 0) return required();
  // A label+audience that is a prefix of an earlier one would never match: PocketBase refuses it.
  const seen: string[] = [];
  for (const [index, rule] of rules.entries()) {
    const key = `${rule.label}@@${rule.audience}`;
    if (seen.some((other) => other.startsWith(key) || key.startsWith(other))) {
      return {
        [String(index)]: {
          label: {
            code: 'validation_conflicting_rate_limit_rule',
            message: `Rate limit rule configuration with label ${rule.label} already exists or conflicts with another rule.`,
            params: { label: rule.label },
          },
        },
      };
    }
    seen.push(key);
  }
  const errors: ErrorData = {};
  for (const [index, rule] of rules.entries()) {
    const p = new Problems();
    p.check('label', !rule.label && required(), !RATE_LIMIT_LABEL.test(rule.label) && badPattern());
    p.check('maxRequests', rule.maxRequests === 0 && required(), rule.maxRequests < 1 && min(1));
    p.check('duration', rule.duration === 0 && required(), rule.duration < 1 && min(1));
    p.check('audience', !RATE_LIMIT_AUDIENCES.includes(rule.audience) && notIn());
    if (Object.keys(p.data).length > 0) errors[String(index)] = p.data;
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

/** Go encodes map keys sorted; so do we, so error bodies compare equal to PocketBase's. */
function sortKeys(data: ErrorData): ErrorData {
  const sorted: ErrorData = {};
  for (const key of Object.keys(data).sort()) {
    const value = data[key];
    const isLeaf = typeof (value as FieldError).code === 'string';
    sorted[key] = isLeaf ? value : sortKeys(value as ErrorData);
  }
  return sorted;
}

/**
 * PocketBase's settings validation (`Settings.PostValidate`): nested field errors, e.g.
 * `{meta: {appURL: {code: "validation_is_url", …}}}`; empty when the document is valid.
 */
export function validateSettings(settings: ReadonlySettings | Settings): ErrorData {
  const s = settings as ReadonlySettings;
  const root = new Problems();

  const meta = new Problems();
  meta.check('appName', !s.meta.appName && required(), runeLength(s.meta.appName) > 255 && lengthOutOfRange(1, 255));
  meta.check('appURL', !s.meta.appURL && required(), !isUrl(s.meta.appURL) && badUrl());
  meta.check(
    'senderName',
    !s.meta.senderName && required(),
    runeLength(s.meta.senderName) > 255 && lengthOutOfRange(1, 255),
  );
  meta.check('senderAddress', !s.meta.senderAddress && required(), !isEmail(s.meta.senderAddress) && badEmail());
  root.nest('meta', meta.data);

  const logs = new Problems();
  logs.check('maxDataSize', s.logs.maxDataSize < 0 && min(0));
  logs.check('maxDays', s.logs.maxDays < 0 && min(0));
  root.nest('logs', logs.data);

  const smtp = new Problems();
  smtp.check(
    'host',
    s.smtp.enabled && !s.smtp.host && required(),
    s.smtp.host !== '' && !isHost(s.smtp.host) && badHost(),
  );
  smtp.check('port', s.smtp.enabled && s.smtp.port === 0 && required(), s.smtp.port < 0 && min(0));
  smtp.check('authMethod', s.smtp.authMethod !== '' && !SMTP_AUTH_METHODS.includes(s.smtp.authMethod) && notIn());
  smtp.check('localName', s.smtp.localName !== '' && !isHost(s.smtp.localName) && badHost());
  root.nest('smtp', smtp.data);

  root.nest('s3', validateS3(s.s3));

  const backups = new Problems();
  backups.nest('s3', validateS3(s.backups.s3));
  const cronProblem = s.backups.cron ? cronExpressionProblem(s.backups.cron) : null;
  backups.check('cron', cronProblem !== null && { code: 'validation_invalid_cron', message: cronProblem });
  backups.check(
    'cronMaxKeep',
    s.backups.cron !== '' && s.backups.cronMaxKeep === 0 && required(),
    // ozzo's Min skips zero values: 0 only fails through Required.
    s.backups.cronMaxKeep < 0 && min(1),
  );
  root.nest('backups', backups.data);

  const batch = new Problems();
  batch.check(
    'maxRequests',
    s.batch.enabled && s.batch.maxRequests === 0 && required(),
    s.batch.maxRequests < 0 && min(0),
  );
  batch.check('timeout', s.batch.enabled && s.batch.timeout === 0 && required(), s.batch.timeout < 0 && min(0));
  batch.check('maxBodySize', s.batch.maxBodySize < 0 && min(0));
  root.nest('batch', batch.data);

  const rateLimits: ErrorData = {};
  const rules = validateRateLimitRules(s.rateLimits);
  if (rules) rateLimits.rules = rules;
  const excluded: ErrorData = {};
  for (const [index, ip] of s.rateLimits.excludedIPs.entries()) {
    if (!ip || !isIpOrCidr(ip)) {
      excluded[String(index)] = {
        code: 'validation_invalid_ip_or_subnet',
        message: 'Must be a valid IP address or subnet.',
      };
    }
  }
  if (Object.keys(excluded).length > 0) rateLimits.excludedIPs = excluded;
  root.nest('rateLimits', rateLimits);

  const ips: ErrorData = {};
  for (const [index, ip] of s.superuserIPs.entries()) {
    if (!isIpOrCidr(ip)) {
      ips[String(index)] = { code: 'validation_is_ip', message: 'Must be a valid IP address or CIDR range.' };
    }
  }
  root.nest('superuserIPs', ips);

  return sortKeys(root.data);
}
