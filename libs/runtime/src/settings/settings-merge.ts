import type { ErrorData, FieldError } from '@hivebase/contracts';
import { defaultSettings, type RateLimitRule, type S3Config, type Settings } from './settings.model';

/** What a value of the wrong JSON type gets, as PocketBase names an unsafe error. */
const INVALID_VALUE: FieldError = { code: 'validation_invalid_value', message: 'Invalid value.' };

export interface SettingsMergeResult {
  /** The merged document (the base where the patch could not be read). */
  settings: Settings;
  /** Where the patch has the wrong JSON type, keyed by path; empty when it reads cleanly. */
  errors: ErrorData;
  /** False when the patch is no JSON object at all, or any key has the wrong type. */
  ok: boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One JSON object of a patch, read the way Go's `json.Unmarshal` reads into the stored struct:
 * absent or `null` keys keep the base value, unknown keys are ignored, a wrong type is an error
 * at that key. Objects merge key by key; arrays replace.
 */
class ObjectPatch {
  readonly errors: ErrorData = {};

  constructor(private readonly raw: Record<string, unknown>) {}

  private present(key: string): unknown {
    const value = this.raw[key];
    return value === null ? undefined : value;
  }

  private invalid<T>(key: string, fallback: T): T {
    this.errors[key] = { ...INVALID_VALUE };
    return fallback;
  }

  bool(key: string, base: boolean): boolean {
    const value = this.present(key);
    if (value === undefined) return base;
    return typeof value === 'boolean' ? value : this.invalid(key, base);
  }

  /** Go `int` fields: whole numbers only (`1.5` and `"1"` fail to unmarshal there too). */
  int(key: string, base: number): number {
    const value = this.present(key);
    if (value === undefined) return base;
    return typeof value === 'number' && Number.isSafeInteger(value) ? value : this.invalid(key, base);
  }

  string(key: string, base: string): string {
    const value = this.present(key);
    if (value === undefined) return base;
    return typeof value === 'string' ? value : this.invalid(key, base);
  }

  /** A secret the API never returns: an empty value means "unchanged", so a round-tripped form keeps it. */
  secret(key: string, base: string): string {
    return this.string(key, base) || base;
  }

  strings(key: string, base: readonly string[]): string[] {
    if (!(key in this.raw)) return [...base];
    const value = this.raw[key];
    if (value === null) return [];
    if (!Array.isArray(value)) return this.invalid(key, [...base]);
    const bad: ErrorData = {};
    value.forEach((item, index) => {
      if (typeof item !== 'string') bad[String(index)] = { ...INVALID_VALUE };
    });
    if (Object.keys(bad).length > 0) {
      this.errors[key] = bad;
      return [...base];
    }
    return value as string[];
  }

  object<T>(key: string, base: T, read: (patch: ObjectPatch, base: T) => T): T {
    const value = this.present(key);
    if (value === undefined) return structuredClone(base);
    if (!isPlainObject(value)) return this.invalid(key, structuredClone(base));
    const child = new ObjectPatch(value);
    const merged = read(child, base);
    if (Object.keys(child.errors).length > 0) this.errors[key] = child.errors;
    return merged;
  }

  /** An array of objects: replaces the base; each item is read over `zero`. */
  objects<T>(key: string, base: readonly T[], zero: () => T, read: (patch: ObjectPatch, base: T) => T): T[] {
    if (!(key in this.raw)) return structuredClone([...base]);
    const value = this.raw[key];
    if (value === null) return [];
    if (!Array.isArray(value)) return this.invalid(key, structuredClone([...base]));
    const bad: ErrorData = {};
    const items = value.map((item, index) => {
      if (!isPlainObject(item)) {
        bad[String(index)] = { ...INVALID_VALUE };
        return zero();
      }
      const child = new ObjectPatch(item);
      const merged = read(child, zero());
      if (Object.keys(child.errors).length > 0) bad[String(index)] = child.errors;
      return merged;
    });
    if (Object.keys(bad).length > 0) {
      this.errors[key] = bad;
      return structuredClone([...base]);
    }
    return items;
  }
}

function readS3(patch: ObjectPatch, base: S3Config): S3Config {
  return {
    enabled: patch.bool('enabled', base.enabled),
    bucket: patch.string('bucket', base.bucket),
    region: patch.string('region', base.region),
    endpoint: patch.string('endpoint', base.endpoint),
    accessKey: patch.string('accessKey', base.accessKey),
    secret: patch.secret('secret', base.secret),
    forcePathStyle: patch.bool('forcePathStyle', base.forcePathStyle),
  };
}

function readRule(patch: ObjectPatch, base: RateLimitRule): RateLimitRule {
  return {
    label: patch.string('label', base.label),
    audience: patch.string('audience', base.audience),
    duration: patch.int('duration', base.duration),
    maxRequests: patch.int('maxRequests', base.maxRequests),
  };
}

const zeroRule = (): RateLimitRule => ({ label: '', audience: '', duration: 0, maxRequests: 0 });

function readSettings(patch: ObjectPatch, base: Settings): Settings {
  return {
    superuserIPs: patch.strings('superuserIPs', base.superuserIPs),
    smtp: patch.object('smtp', base.smtp, (p, b) => ({
      enabled: p.bool('enabled', b.enabled),
      port: p.int('port', b.port),
      host: p.string('host', b.host),
      username: p.string('username', b.username),
      password: p.secret('password', b.password),
      authMethod: p.string('authMethod', b.authMethod),
      tls: p.bool('tls', b.tls),
      localName: p.string('localName', b.localName),
    })),
    backups: patch.object('backups', base.backups, (p, b) => ({
      cron: p.string('cron', b.cron),
      cronMaxKeep: p.int('cronMaxKeep', b.cronMaxKeep),
      s3: p.object('s3', b.s3, readS3),
    })),
    s3: patch.object('s3', base.s3, readS3),
    meta: patch.object('meta', base.meta, (p, b) => ({
      appName: p.string('appName', b.appName),
      appURL: p.string('appURL', b.appURL),
      senderName: p.string('senderName', b.senderName),
      senderAddress: p.string('senderAddress', b.senderAddress),
      hideControls: p.bool('hideControls', b.hideControls),
    })),
    rateLimits: patch.object('rateLimits', base.rateLimits, (p, b) => ({
      rules: p.objects('rules', b.rules, zeroRule, readRule),
      excludedIPs: p.strings('excludedIPs', b.excludedIPs),
      enabled: p.bool('enabled', b.enabled),
    })),
    trustedProxy: patch.object('trustedProxy', base.trustedProxy, (p, b) => ({
      headers: p.strings('headers', b.headers),
      useLeftmostIP: p.bool('useLeftmostIP', b.useLeftmostIP),
    })),
    batch: patch.object('batch', base.batch, (p, b) => ({
      enabled: p.bool('enabled', b.enabled),
      maxRequests: p.int('maxRequests', b.maxRequests),
      timeout: p.int('timeout', b.timeout),
      maxBodySize: p.int('maxBodySize', b.maxBodySize),
    })),
    logs: patch.object('logs', base.logs, (p, b) => ({
      maxDataSize: p.int('maxDataSize', b.maxDataSize),
      maxDays: p.int('maxDays', b.maxDays),
      minLevel: p.int('minLevel', b.minLevel),
      logIP: p.bool('logIP', b.logIP),
      logAuthId: p.bool('logAuthId', b.logAuthId),
    })),
  };
}

/**
 * Deep-merges a submitted (partial) settings document over `base`. The result always has every
 * key, in PocketBase's order, with the right types; `ok` is false when the patch is not a JSON
 * object or has a value of the wrong type (`errors` then says where).
 */
export function mergeSettings(base: Settings, patch: unknown): SettingsMergeResult {
  if (patch === undefined || patch === null) return { settings: structuredClone(base), errors: {}, ok: true };
  if (!isPlainObject(patch)) return { settings: structuredClone(base), errors: {}, ok: false };
  const reader = new ObjectPatch(patch);
  const settings = readSettings(reader, base);
  return { settings, errors: reader.errors, ok: Object.keys(reader.errors).length === 0 };
}

/**
 * A stored document read over the defaults: keys added by newer versions get their default, a
 * damaged value its default too (a stored document never makes a request fail).
 */
export function settingsFromStored(stored: unknown): Settings {
  const defaults = defaultSettings();
  const merged = mergeSettings(defaults, stored);
  if (merged.ok || !isPlainObject(stored)) return merged.settings;
  // Drop only the unreadable keys and read the rest again.
  return mergeSettings(defaults, withoutPaths(stored, merged.errors)).settings;
}

/** `value` without the keys that `errors` points at (errors are nested like the value). */
function withoutPaths(value: Record<string, unknown>, errors: ErrorData): Record<string, unknown> {
  const result: Record<string, unknown> = { ...value };
  for (const [key, error] of Object.entries(errors)) {
    const nested = result[key];
    const isLeaf = isPlainObject(error) && typeof error.code === 'string';
    if (isLeaf || !isPlainObject(nested) || !isPlainObject(error)) delete result[key];
    else result[key] = withoutPaths(nested, error as ErrorData);
  }
  return result;
}
