import type { GatewayConfig } from '@hivebase/platform';
import { type Resolver, UpstreamPool } from './upstream-pool';
import { UPSTREAMS, type UpstreamName } from './upstream-routes';

export type UpstreamPools = Record<UpstreamName, UpstreamPool>;

/** Injection token of the gateway's pools (shared by the proxy and `/api/health`). */
export const UPSTREAM_POOLS = Symbol('UPSTREAM_POOLS');

function configuredUrls(config: GatewayConfig, name: UpstreamName): string {
  switch (name) {
    case 'collections':
      return config.upstreamCollections;
    case 'auth':
      return config.upstreamAuth;
    case 'files':
      return config.upstreamFiles;
    case 'realtime':
      return config.upstreamRealtime;
  }
}

/** One pool per upstream service, from the `HB_UPSTREAM_*` settings (not started yet). */
export function createUpstreamPools(config: GatewayConfig, resolve?: Resolver): UpstreamPools {
  return Object.fromEntries(
    UPSTREAMS.map((name) => [
      name,
      new UpstreamPool({
        name,
        urls: [configuredUrls(config, name)],
        connectTimeoutMs: config.upstreamConnectTimeoutMs,
        headersTimeoutMs: config.upstreamResponseTimeoutMs,
        resolveEveryMs: config.upstreamResolveMs,
        healthEveryMs: config.upstreamHealthIntervalMs,
        healthTimeoutMs: config.healthTimeoutMs,
        resolve,
      }),
    ]),
  ) as UpstreamPools;
}
