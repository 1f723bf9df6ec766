import { z } from 'zod';

const httpAddress = z
  .string()
  .regex(/^[^:\s]*:\d{1,5}$/, 'must be HOST:PORT, e.g. 127.0.0.1:8090')
  .transform((value) => {
    const at = value.lastIndexOf(':');
    return { host: value.slice(0, at) || '0.0.0.0', port: Number(value.slice(at + 1)) };
  });

/** A URL whose scheme is one of `schemes` (`new URL` accepts far too much on its own). */
function urlWithScheme(schemes: string[], example: string) {
  return z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    `must be a ${schemes.join(' or ')} URL, e.g. ${example}`,
  );
}

const postgresUrl = urlWithScheme(['postgres', 'postgresql'], 'postgres://user@127.0.0.1:5432/hivebase');
const redisUrl = urlWithScheme(['redis', 'rediss'], 'redis://127.0.0.1:6379');
const httpUrl = urlWithScheme(['http', 'https'], 'http://127.0.0.1:8091');

// An upstream is one URL (a name may resolve to several replicas) or several, comma-separated.
const httpUrlList = z
  .string()
  .refine(
    (value) => value.split(',').every((item) => httpUrl.safeParse(item.trim()).success),
    'must be http(s) URLs separated by commas, e.g. http://127.0.0.1:8091,http://127.0.0.1:8191',
  );

const positiveInt = z.coerce.number().int().positive();

/**
 * Settings every Hivebase process reads from its environment. Variable names are the keys of
 * `ENV_NAMES`, so an error can name the variable a user actually set.
 */
export const baseConfigSchema = z.object({
  mode: z.enum(['standalone', 'distributed']).default('standalone'),
  http: httpAddress.prefault('127.0.0.1:8090'),
  dataDir: z.string().min(1).default('./hb_data'),
  // Local file storage (docs/files.md): `<dataDir>/storage` unless set; the collections and files
  // processes of one machine must share it.
  storageDir: z.string().min(1).optional(),
  // Local backups (docs/backups.md): `<dataDir>/backups` unless set; every collections replica
  // of a deployment must share it (or use `settings.backups.s3`).
  backupsDir: z.string().min(1).optional(),
  databaseUrl: postgresUrl.optional(),
  redisUrl: redisUrl.default('redis://127.0.0.1:6379'),
  // Starts every Redis key and channel Hivebase uses (bus, job queues, rate-limit counts), so
  // several deployments or test runs can share one Redis without seeing each other's traffic.
  redisPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, "_" or "-" (at most 40)')
    .default('hb'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  logPretty: z.stringbool().default(false),
  bodyLimit: positiveInt.default(32 * 1024 * 1024),
  shutdownTimeoutMs: positiveInt.default(10_000),
  // On SIGTERM a service behind gateways first fails its health check for this long, still serving,
  // so they stop picking it before it closes (0: close at once).
  shutdownDrainMs: z.coerce.number().int().min(0).default(0),
  corsOrigins: z.string().default('*'),
  migrateOnBoot: z.stringbool().default(true),
  // Distributed services: `request` checks the schema and settings versions before each request
  // (read-your-writes across replicas); `event` relies on the bus and a 2-5 s timer (cheaper, but a
  // request right after a change may see the old schema). See docs/scaling.md.
  schemaFreshness: z.enum(['request', 'event']).default('request'),
  // Failed password/OTP sign-ins (docs/rate-limits.md). 5 per identity in 15 minutes leaves room
  // for typos yet makes guessing a password or a 6-digit OTP hopeless; 20 per IP over every
  // identity stops one address spraying many accounts, while the honest typos of users behind a
  // shared NAT rarely reach it. Reaching a limit blocks for 15 minutes.
  authMaxFailedPerIdentity: positiveInt.default(5),
  authMaxFailedPerIp: positiveInt.default(20),
  authFailedWindowSeconds: positiveInt.default(15 * 60),
  authBlockSeconds: positiveInt.default(15 * 60),
  // Operators' listener (`/metrics`, `/livez`, `/readyz`), apart from the API port; unset: none.
  metricsHttp: httpAddress.optional(),
  // Record files in S3 from the environment (docs/files.md): with S3_ENABLED every process stores
  // and serves them there, whatever settings.s3 says; endpoint, bucket and keys are then required.
  s3Enabled: z.stringbool().default(false),
  s3Endpoint: httpUrl.optional(),
  s3Bucket: z.string().min(1).optional(),
  s3Region: z.string().default(''),
  s3AccessKey: z.string().min(1).optional(),
  s3Secret: z.string().min(1).optional(),
  s3ForcePathStyle: z.stringbool().default(true),
  // OAuth2 sign-up downloads the provider's avatar; loopback and private addresses are refused
  // unless this is set (an IdP on an intranet, tests).
  oauth2AvatarAllowPrivate: z.stringbool().default(false),
  // `POST /api/sql` (docs/sql.md): each statement of a console query is cancelled after this long
  // (PocketBase's 3 minutes).
  sqlTimeoutMs: positiveInt.default(3 * 60_000),
  // Extension modules (docs/extending.md): `hb_hooks` beside the data directory unless set.
  hooksDir: z.string().min(1).optional(),
  // Type-check TypeScript extensions at boot (a type error stops it); off saves the check's seconds.
  hooksTypeCheck: z.stringbool().default(true),
});

/** The gateway adds where each upstream service lives and how long to wait for it. */
export const gatewayConfigSchema = baseConfigSchema.extend({
  upstreamCollections: httpUrlList.default('http://127.0.0.1:8091'),
  upstreamAuth: httpUrlList.default('http://127.0.0.1:8092'),
  upstreamFiles: httpUrlList.default('http://127.0.0.1:8093'),
  upstreamRealtime: httpUrlList.default('http://127.0.0.1:8094'),
  upstreamConnectTimeoutMs: positiveInt.default(3_000),
  upstreamResponseTimeoutMs: positiveInt.default(30_000),
  // How often upstream names are looked up again (new replicas join, gone ones leave).
  upstreamResolveMs: positiveInt.default(5_000),
  // How often each upstream address is asked for its health (a failing one gets no requests).
  upstreamHealthIntervalMs: positiveInt.default(2_000),
  healthTimeoutMs: positiveInt.default(2_000),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

/** The environment variable behind each config key. */
export const ENV_NAMES = {
  mode: 'HB_MODE',
  http: 'HB_HTTP',
  dataDir: 'HB_DIR',
  storageDir: 'HB_STORAGE_DIR',
  backupsDir: 'HB_BACKUPS_DIR',
  databaseUrl: 'DATABASE_URL',
  redisUrl: 'REDIS_URL',
  redisPrefix: 'HB_REDIS_PREFIX',
  logLevel: 'LOG_LEVEL',
  logPretty: 'LOG_PRETTY',
  bodyLimit: 'HB_BODY_LIMIT',
  shutdownTimeoutMs: 'HB_SHUTDOWN_TIMEOUT_MS',
  shutdownDrainMs: 'HB_SHUTDOWN_DRAIN_MS',
  corsOrigins: 'HB_CORS_ORIGINS',
  migrateOnBoot: 'HB_MIGRATE_ON_BOOT',
  schemaFreshness: 'HB_SCHEMA_FRESHNESS',
  authMaxFailedPerIdentity: 'AUTH_MAX_FAILED_PER_IDENTITY',
  authMaxFailedPerIp: 'AUTH_MAX_FAILED_PER_IP',
  authFailedWindowSeconds: 'AUTH_FAILED_WINDOW_SECONDS',
  authBlockSeconds: 'AUTH_BLOCK_SECONDS',
  metricsHttp: 'HB_METRICS_HTTP',
  s3Enabled: 'S3_ENABLED',
  s3Endpoint: 'S3_ENDPOINT',
  s3Bucket: 'S3_BUCKET',
  s3Region: 'S3_REGION',
  s3AccessKey: 'S3_ACCESS_KEY',
  s3Secret: 'S3_SECRET',
  s3ForcePathStyle: 'S3_FORCE_PATH_STYLE',
  oauth2AvatarAllowPrivate: 'HB_OAUTH2_AVATAR_ALLOW_PRIVATE',
  sqlTimeoutMs: 'HB_SQL_TIMEOUT_MS',
  hooksDir: 'HB_HOOKS_DIR',
  hooksTypeCheck: 'HB_HOOKS_TYPECHECK',
  upstreamCollections: 'HB_UPSTREAM_COLLECTIONS',
  upstreamAuth: 'HB_UPSTREAM_AUTH',
  upstreamFiles: 'HB_UPSTREAM_FILES',
  upstreamRealtime: 'HB_UPSTREAM_REALTIME',
  upstreamConnectTimeoutMs: 'HB_UPSTREAM_CONNECT_TIMEOUT_MS',
  upstreamResponseTimeoutMs: 'HB_UPSTREAM_RESPONSE_TIMEOUT_MS',
  upstreamResolveMs: 'HB_UPSTREAM_RESOLVE_MS',
  upstreamHealthIntervalMs: 'HB_UPSTREAM_HEALTH_INTERVAL_MS',
  healthTimeoutMs: 'HB_HEALTH_TIMEOUT_MS',
} as const satisfies Record<keyof GatewayConfig, string>;
