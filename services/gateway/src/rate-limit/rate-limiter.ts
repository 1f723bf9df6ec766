import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { Logger } from '@nestjs/common';
import type { EdgeSettings, RateLimitRule } from '../edge/edge-settings';
import type { RequestIdentity } from '../edge/request-identity';
import type { RateLimitCounter } from './rate-limit-counter';
import { audiencesOf, collectionLabels, collectionRouteOf, findRateLimitRule, pathLabels } from './rate-limit-rules';

/** Whether `ip` is one of `entries` (addresses or CIDR ranges), as PocketBase's isIPInList. */
export function ipInList(entries: readonly string[], ip: string): boolean {
  const family = isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : null;
  if (!family || entries.length === 0) return false;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.trim().split('/');
    const entryFamily = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    if (!entryFamily) continue;
    const prefix = Number(bits);
    if (bits === undefined) list.addAddress(address, entryFamily);
    else if (Number.isInteger(prefix) && prefix >= 0 && prefix <= (entryFamily === 'ipv4' ? 32 : 128)) {
      list.addSubnet(address, prefix, entryFamily);
    }
  }
  return list.check(ip, family);
}

export interface RateLimitRequest {
  method: string;
  /** The URL path, without the query. */
  path: string;
  /** The client's IP as PocketBase's RealIP decides it (trusted proxy headers, else the peer). */
  ip: string;
  identity: RequestIdentity | null;
}

/**
 * PocketBase's rate limiter over a shared counter: every request is checked against the first
 * rule matching its path labels, and records, auth and file routes a second time against the
 * first rule matching their collection labels (`users:create`, `*:auth`, …), each with a budget
 * of its own. Superusers and excluded IPs are never limited.
 */
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);

  constructor(
    private readonly counter: RateLimitCounter,
    private readonly collectionName: (idOrName: string) => string | undefined,
  ) {}

  /** The rule the request broke, or null when it may go on. */
  async check(settings: EdgeSettings['rateLimits'], request: RateLimitRequest): Promise<RateLimitRule | null> {
    if (!settings.enabled || settings.rules.length === 0 || !request.ip) return null;
    if (request.identity?.collectionName === '_superusers') return null;
    if (ipInList(settings.excludedIPs, request.ip)) return null;
    const audiences = audiencesOf(request.identity !== null);
    const global = findRateLimitRule(settings.rules, pathLabels(request.method, request.path), audiences);
    if (global && !(await this.consume(`g:${global.label}${global.audience}`, global, request.ip))) return global;
    const route = collectionRouteOf(request.method, request.path);
    const name = route && this.collectionName(route.collection);
    if (!route || !name) return null;
    const rule = findRateLimitRule(
      settings.rules,
      collectionLabels(name, route, request.method, request.path),
      audiences,
    );
    const id = `c:${name}:${route.pattern}:${route.tags.join(',')}${rule?.audience ?? ''}`;
    if (rule && !(await this.consume(id, rule, request.ip))) return rule;
    return null;
  }

  private async consume(id: string, rule: RateLimitRule, ip: string): Promise<boolean> {
    // A changed rule (other budget or window) counts afresh, as PocketBase resets its limiters.
    const key = `${id}:${rule.maxRequests}/${rule.duration}:${ip}`;
    try {
      return await this.counter.consume(key, rule.maxRequests, rule.duration);
    } catch (error) {
      // Better to serve without a limit than to fail every request while Redis is away.
      this.logger.warn({ err: error }, 'rate-limit counter unavailable, request let through');
      return true;
    }
  }
}
