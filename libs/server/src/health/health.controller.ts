import { HEALTHY_MESSAGE, type HealthResponse } from '@hivebase/contracts';
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { HealthChecks } from './health-checks';

const CHECK_TIMEOUT_MS = 2_000;

/** PocketBase's `/api/health`, answered from this process's own dependencies. */
@Controller('api/health')
export class HealthController {
  constructor(@Inject(HealthChecks) private readonly checks: HealthChecks) {}

  // Fastify answers HEAD from this GET route (same status, no body), as PocketBase does.
  @Get()
  async check(): Promise<HealthResponse> {
    await this.assertHealthy();
    return { message: HEALTHY_MESSAGE, code: 200, data: {} };
  }

  private async assertHealthy(): Promise<void> {
    const failing = await this.checks.failing(CHECK_TIMEOUT_MS);
    if (Object.keys(failing).length > 0) {
      throw new ApiError(503, `Unhealthy: ${Object.keys(failing).join(', ')}.`, failing);
    }
  }
}
