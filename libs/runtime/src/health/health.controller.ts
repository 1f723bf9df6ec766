import { HEALTHY_MESSAGE, type HealthResponse } from '@hivebase/contracts';
import type { BaseConfig } from '@hivebase/platform';
import { APP_CONFIG, ApiError, HealthChecks, possibleProxyHeader, realIp } from '@hivebase/platform';
import { Controller, Get, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isSuperuser, RequestAuthenticator } from '../auth/request-auth';
import { ACTIVE_BACKUP, type ActiveBackup } from '../backups/active-backup';
import { SettingsService } from '../settings/settings.service';

const CHECK_TIMEOUT_MS = 2_000;

/** What PocketBase's health adds for superusers. */
export interface SuperuserHealthData {
  /** false while a backup or restore runs on any replica. */
  canBackup: boolean;
  possibleProxyHeader: string;
  realIP: string;
}

/** PocketBase's `/api/health`, answered from this process's own dependencies. */
@Controller('api/health')
export class HealthController {
  constructor(
    @Inject(HealthChecks) private readonly checks: HealthChecks,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    @Inject(ACTIVE_BACKUP) private readonly activeBackup: ActiveBackup,
  ) {}

  // Fastify answers HEAD from this GET route (same status, no body), as PocketBase does.
  @Get()
  async check(@Req() request: FastifyRequest): Promise<HealthResponse> {
    await this.assertHealthy();
    const data = isSuperuser(await this.authenticator.of(request)) ? await this.superuserData(request) : {};
    // A distributed service's own port is where operators look; clients only ever see the gateway's answer.
    const details = this.config.mode === 'distributed' ? this.checks.detailData() : {};
    return { message: HEALTHY_MESSAGE, code: 200, data: { ...data, ...details } };
  }

  private async superuserData(request: FastifyRequest): Promise<SuperuserHealthData> {
    const { trustedProxy } = this.settings.get();
    // A distributed service sits behind the gateway, one proxy hop (as createServiceApp trusts it).
    const proxyHops = this.config.mode === 'distributed' ? 1 : 0;
    // Go writes map keys sorted.
    return {
      canBackup: await this.canBackup(),
      possibleProxyHeader: possibleProxyHeader(request, trustedProxy.headers, proxyHops),
      realIP: realIp(request, trustedProxy, proxyHops),
    };
  }

  /** A lock store that cannot answer reports "busy": a backup started now would fail too. */
  private async canBackup(): Promise<boolean> {
    try {
      return (await this.activeBackup.current()) === null;
    } catch {
      return false;
    }
  }

  private async assertHealthy(): Promise<void> {
    const failing = await this.checks.failing(CHECK_TIMEOUT_MS);
    if (Object.keys(failing).length > 0) {
      throw new ApiError(503, `Unhealthy: ${Object.keys(failing).join(', ')}.`, failing);
    }
  }
}
