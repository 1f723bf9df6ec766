import { HEALTHY_MESSAGE, type HealthResponse } from '@hivebase/contracts';
import { APP_CONFIG, ApiError, type GatewayConfig } from '@hivebase/server';
import { Controller, Get, Inject } from '@nestjs/common';
import { request } from 'undici';
import { upstreamUrls } from '../proxy/proxy.plugin';
import { UPSTREAMS, type UpstreamName } from '../proxy/upstream-routes';

/** `/api/health` of the whole deployment: healthy only when every upstream says so. */
@Controller('api/health')
export class UpstreamHealthController {
  constructor(@Inject(APP_CONFIG) private readonly config: GatewayConfig) {}

  // Fastify answers HEAD from this GET route (same status, no body), as PocketBase does.
  @Get()
  async check(): Promise<HealthResponse> {
    await this.assertUpstreamsHealthy();
    return { message: HEALTHY_MESSAGE, code: 200, data: {} };
  }

  private async assertUpstreamsHealthy(): Promise<void> {
    const urls = upstreamUrls(this.config);
    const problems = await Promise.all(UPSTREAMS.map((name) => this.problemWith(name, urls[name])));
    const failing = Object.fromEntries(problems.filter((entry) => entry !== null));
    const names = Object.keys(failing);
    if (names.length > 0) {
      throw new ApiError(503, `Unhealthy upstream: ${names.join(', ')}.`, failing);
    }
  }

  private async problemWith(name: UpstreamName, baseUrl: string): Promise<[string, unknown] | null> {
    try {
      const response = await request(`${baseUrl}/api/health`, {
        signal: AbortSignal.timeout(this.config.healthTimeoutMs),
      });
      await response.body.dump();
      if (response.statusCode === 200) return null;
      return [name, { code: 'upstream_unhealthy', message: `Answered ${response.statusCode}.` }];
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return [name, { code: 'upstream_unreachable', message: `Unreachable: ${reason}.` }];
    }
  }
}
