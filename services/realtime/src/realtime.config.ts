import { ConfigError } from '@hivebase/platform';

/** Limits of the realtime service, from the environment (docs/realtime.md). */
export interface RealtimeConfig {
  /** A stream that sent nothing this long closes (PocketBase: 5 minutes); the SDK reconnects. */
  idleTimeoutMs: number;
  /** Any stream closes after this long (PocketBase: 30 minutes). */
  maxLifetimeMs: number;
  /** Streams this process holds at most; more are answered 503. */
  maxClients: number;
  /** A client whose unsent frames exceed this many bytes is disconnected. */
  maxBacklogBytes: number;
}

export const REALTIME_CONFIG = Symbol('REALTIME_CONFIG');

const VARIABLES: Record<keyof RealtimeConfig, [name: string, fallback: number, min: number]> = {
  idleTimeoutMs: ['HB_REALTIME_IDLE_TIMEOUT_MS', 5 * 60_000, 100],
  maxLifetimeMs: ['HB_REALTIME_MAX_LIFETIME_MS', 30 * 60_000, 100],
  maxClients: ['HB_REALTIME_MAX_CLIENTS', 100_000, 1],
  maxBacklogBytes: ['HB_REALTIME_MAX_BACKLOG_BYTES', 4 * 1024 * 1024, 1024],
};

/** Reads the realtime limits; a bad value stops the boot with a message naming the variable. */
export function loadRealtimeConfig(env: NodeJS.ProcessEnv = process.env): RealtimeConfig {
  const problems: string[] = [];
  const config = {} as RealtimeConfig;
  for (const [key, [name, fallback, min]] of Object.entries(VARIABLES) as [
    keyof RealtimeConfig,
    [string, number, number],
  ][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      config[key] = fallback;
      continue;
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) problems.push(`${name}="${raw}": must be an integer >= ${min}`);
    else config[key] = value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
