import { SETTINGS_CHANGED } from '@hivebase/contracts';

export { SETTINGS_CHANGED };

/** Payload of `settings.changed`: no settings travel on the bus (secrets stay in the database). */
export interface SettingsChangedEvent {
  /** `_params.updated` of the saved row, ISO 8601. */
  updated: string;
}

export interface MetaConfig {
  appName: string;
  appURL: string;
  senderName: string;
  senderAddress: string;
  hideControls: boolean;
}

export interface LogsConfig {
  /** Serialised `data` bytes above which a log entry's data is cut (v0.40); 0: about 16 KB. */
  maxDataSize: number;
  maxDays: number;
  /** slog levels: -4 debug, 0 info, 4 warn, 8 error. */
  minLevel: number;
  logIP: boolean;
  logAuthId: boolean;
}

export interface SmtpConfig {
  enabled: boolean;
  port: number;
  host: string;
  username: string;
  /** Secret: never answered by the API. */
  password: string;
  /** `PLAIN` (also when empty) or `LOGIN`. */
  authMethod: string;
  tls: boolean;
  localName: string;
}

export interface S3Config {
  enabled: boolean;
  bucket: string;
  region: string;
  endpoint: string;
  accessKey: string;
  /** Secret: never answered by the API. */
  secret: string;
  forcePathStyle: boolean;
}

export interface BackupsConfig {
  /** 5-field cron expression; empty disables automatic backups. */
  cron: string;
  cronMaxKeep: number;
  s3: S3Config;
}

export interface BatchConfig {
  enabled: boolean;
  maxRequests: number;
  /** Seconds before the batch transaction is cancelled. */
  timeout: number;
  /** Bytes; 0 means the server's default limit. */
  maxBodySize: number;
}

export type RateLimitAudience = '' | '@guest' | '@auth';

export interface RateLimitRule {
  /** A tag (`users:create`, `*:auth`), a path or path prefix (`/api/`), optionally with a method. */
  label: string;
  audience: string;
  /** Seconds per window. */
  duration: number;
  maxRequests: number;
}

export interface RateLimitsConfig {
  rules: RateLimitRule[];
  /** Addresses and CIDR ranges the rate limiter never limits. */
  excludedIPs: string[];
  enabled: boolean;
}

export interface TrustedProxyConfig {
  headers: string[];
  useLeftmostIP: boolean;
}

/**
 * PocketBase's application settings document, keys in PocketBase's JSON order (Go struct order).
 * Stored whole, secrets included, in `_params` row `settings`.
 */
export interface Settings {
  superuserIPs: string[];
  smtp: SmtpConfig;
  backups: BackupsConfig;
  s3: S3Config;
  meta: MetaConfig;
  rateLimits: RateLimitsConfig;
  trustedProxy: TrustedProxyConfig;
  batch: BatchConfig;
  logs: LogsConfig;
}

/** Read-only view handed to consumers of the cached document. */
export type ReadonlySettings = DeepReadonly<Settings>;

export type DeepReadonly<T> = T extends (infer Item)[]
  ? readonly DeepReadonly<Item>[]
  : T extends object
    ? { readonly [Key in keyof T]: DeepReadonly<T[Key]> }
    : T;

/** `Settings` as the API answers it: the secrets left out, as PocketBase leaves them out. */
export type PublicSettings = Omit<Settings, 'smtp' | 's3' | 'backups'> & {
  smtp: Omit<SmtpConfig, 'password'>;
  s3: Omit<S3Config, 'secret'>;
  backups: Omit<BackupsConfig, 's3'> & { s3: Omit<S3Config, 'secret'> };
};

function defaultS3(): S3Config {
  return { enabled: false, bucket: '', region: '', endpoint: '', accessKey: '', secret: '', forcePathStyle: false };
}

/** A fresh copy of PocketBase v0.39's defaults (`newDefaultSettings`). */
export function defaultSettings(): Settings {
  return {
    superuserIPs: [],
    smtp: {
      enabled: false,
      port: 587,
      host: 'smtp.example.com',
      username: '',
      password: '',
      authMethod: '',
      tls: false,
      localName: '',
    },
    backups: { cron: '', cronMaxKeep: 3, s3: defaultS3() },
    s3: defaultS3(),
    meta: {
      appName: 'Acme',
      appURL: 'http://localhost:8090',
      senderName: 'Support',
      senderAddress: 'support@example.com',
      hideControls: false,
    },
    rateLimits: {
      rules: [
        { label: '*:auth', audience: '', duration: 3, maxRequests: 2 },
        { label: '*:create', audience: '', duration: 5, maxRequests: 20 },
        { label: '/api/batch', audience: '', duration: 1, maxRequests: 3 },
        { label: '/api/', audience: '', duration: 10, maxRequests: 300 },
      ],
      excludedIPs: [],
      enabled: false,
    },
    trustedProxy: { headers: [], useLeftmostIP: false },
    batch: { enabled: false, maxRequests: 50, timeout: 3, maxBodySize: 0 },
    logs: { maxDataSize: 0, maxDays: 5, minLevel: 0, logIP: true, logAuthId: false },
  };
}

function publicS3({ secret: _secret, ...rest }: S3Config): Omit<S3Config, 'secret'> {
  return rest;
}

/** The document without its secrets (key order kept), what `GET|PATCH /api/settings` answer. */
export function toPublicSettings(settings: ReadonlySettings | Settings): PublicSettings {
  const copy = structuredClone(settings) as Settings;
  const { password: _password, ...smtp } = copy.smtp;
  return {
    superuserIPs: copy.superuserIPs,
    smtp,
    backups: { cron: copy.backups.cron, cronMaxKeep: copy.backups.cronMaxKeep, s3: publicS3(copy.backups.s3) },
    s3: publicS3(copy.s3),
    meta: copy.meta,
    rateLimits: copy.rateLimits,
    trustedProxy: copy.trustedProxy,
    batch: copy.batch,
    logs: copy.logs,
  };
}
