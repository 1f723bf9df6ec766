import { SETTINGS_CHANGED } from '@hivebase/contracts';
import { type EventBus, ReplicatedSnapshot, type TrustedProxy } from '@hivebase/platform';
import type { Pool } from 'pg';

export type RateLimitAudience = '' | '@guest' | '@auth';

/** One of PocketBase's rate-limit rules (`settings.rateLimits.rules[i]`). */
export interface RateLimitRule {
  label: string;
  audience: RateLimitAudience;
  /** The window, in seconds. */
  duration: number;
  maxRequests: number;
}

/** The part of the settings document the edge (gateway) acts on. */
export interface EdgeSettings {
  logs: { maxDataSize: number; maxDays: number; minLevel: number; logIP: boolean; logAuthId: boolean };
  rateLimits: { enabled: boolean; rules: RateLimitRule[]; excludedIPs: string[] };
  trustedProxy: TrustedProxy;
}

/** PocketBase's defaults: logs kept 5 days, IPs logged, rate limiter off. */
export function defaultEdgeSettings(): EdgeSettings {
  return {
    logs: { maxDataSize: 0, maxDays: 5, minLevel: 0, logIP: true, logAuthId: false },
    rateLimits: { enabled: false, rules: [], excludedIPs: [] },
    trustedProxy: { headers: [], useLeftmostIP: false },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown, fallback: number) =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;
const bool = (value: unknown, fallback: boolean) => (typeof value === 'boolean' ? value : fallback);
const strings = (value: unknown) =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/**
 * The edge's part of a stored settings document, read leniently: the settings API validated it
 * when it was saved, so anything unreadable here falls back to PocketBase's default.
 */
export function edgeSettingsFrom(stored: unknown): EdgeSettings {
  const defaults = defaultEdgeSettings();
  if (!isObject(stored)) return defaults;
  const logs = isObject(stored.logs) ? stored.logs : {};
  const limits = isObject(stored.rateLimits) ? stored.rateLimits : {};
  const proxy = isObject(stored.trustedProxy) ? stored.trustedProxy : {};
  const rules: RateLimitRule[] = [];
  for (const rule of Array.isArray(limits.rules) ? limits.rules : []) {
    if (!isObject(rule) || typeof rule.label !== 'string') continue;
    const audience = rule.audience === '@guest' || rule.audience === '@auth' ? rule.audience : '';
    const duration = num(rule.duration, 0);
    const maxRequests = num(rule.maxRequests, 0);
    if (duration >= 1 && maxRequests >= 1) rules.push({ label: rule.label, audience, duration, maxRequests });
  }
  return {
    logs: {
      maxDataSize: num(logs.maxDataSize, defaults.logs.maxDataSize),
      maxDays: num(logs.maxDays, defaults.logs.maxDays),
      minLevel: num(logs.minLevel, defaults.logs.minLevel),
      logIP: bool(logs.logIP, defaults.logs.logIP),
      logAuthId: bool(logs.logAuthId, defaults.logs.logAuthId),
    },
    rateLimits: { enabled: bool(limits.enabled, false), rules, excludedIPs: strings(limits.excludedIPs) },
    trustedProxy: { headers: strings(proxy.headers), useLeftmostIP: bool(proxy.useLeftmostIP, false) },
  };
}

/** How often a copy compares its version with the database's (covers a missed bus event). */
const VERSION_CHECK_MS = 5_000;

/**
 * This process's copy of the edge settings: reloaded on `settings.changed`, on a version check
 * every few seconds, and at once when a settings change passes through this gateway.
 */
export class EdgeSettingsSnapshot {
  private readonly snapshot: ReplicatedSnapshot<EdgeSettings>;

  constructor(pool: Pool, bus: EventBus) {
    this.snapshot = new ReplicatedSnapshot<EdgeSettings>(
      {
        name: EdgeSettingsSnapshot.name,
        bus,
        event: SETTINGS_CHANGED,
        load: async () => {
          const { rows } = await pool.query<{ value: unknown; updated: Date }>(
            `SELECT value, updated FROM "_params" WHERE id = 'settings'`,
          );
          const row = rows[0];
          return { value: edgeSettingsFrom(row?.value), version: row ? row.updated.toISOString() : '' };
        },
        version: async () => {
          const { rows } = await pool.query<{ updated: Date }>(`SELECT updated FROM "_params" WHERE id = 'settings'`);
          return rows[0]?.updated.toISOString() ?? '';
        },
        checkEveryMs: VERSION_CHECK_MS,
      },
      defaultEdgeSettings(),
    );
  }

  get value(): EdgeSettings {
    return this.snapshot.value;
  }

  start(): Promise<void> {
    return this.snapshot.start();
  }

  stop(): Promise<void> {
    return this.snapshot.stop();
  }

  reload(): Promise<void> {
    return this.snapshot.reload();
  }
}
