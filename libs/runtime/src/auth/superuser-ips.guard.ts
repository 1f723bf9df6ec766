import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { BaseConfig } from '@hivebase/platform';
import { APP_CONFIG, ApiError, realIp } from '@hivebase/platform';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { SettingsService } from '../settings/settings.service';
import { isSuperuser, type RequestAuth, RequestAuthenticator } from './request-auth';

/** Whether `ip` is one of `entries` (addresses or CIDR ranges), as PocketBase's isIPInList. */
export function ipInList(entries: readonly string[], ip: string): boolean {
  const family = isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : null;
  if (!family) return false;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.trim().split('/');
    const entryFamily = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    if (!entryFamily) continue;
    if (bits === undefined) list.addAddress(address, entryFamily);
    else list.addSubnet(address, Number(bits), entryFamily);
  }
  return list.check(ip, family);
}

/**
 * PocketBase's superuser IP allow-list (`settings.superuserIPs`): a superuser's request, or a
 * superuser's sign-in, from an address outside a non-empty list answers 403. Shared by the guard
 * on every route and by the sign-in responses.
 */
@Injectable()
export class SuperuserIps {
  constructor(
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
  ) {}

  assertAllowed(request: FastifyRequest, auth: RequestAuth | null): void {
    if (!this.allows(request, auth)) throw new ApiError(403);
  }

  /** Whether `auth` may act from this request's address (anyone but a superuser always may). */
  allows(request: FastifyRequest, auth: RequestAuth | null): boolean {
    if (!isSuperuser(auth)) return true;
    const { superuserIPs, trustedProxy } = this.settings.get();
    if (superuserIPs.length === 0) return true;
    // A distributed service sits behind the gateway, one proxy hop (as createServiceApp trusts it).
    const proxyHops = this.config.mode === 'distributed' ? 1 : 0;
    return ipInList(superuserIPs, realIp(request, trustedProxy, proxyHops));
  }
}

/** Runs the allow-list before every route of a service (requests without a token cost nothing). */
@Injectable()
export class SuperuserIpsGuard implements CanActivate {
  constructor(
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(SuperuserIps) private readonly ips: SuperuserIps,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!request.headers.authorization) return true;
    this.ips.assertAllowed(request, await this.authenticator.of(request));
    return true;
  }
}
