import { Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import { HealthChecks } from './health-checks';

/**
 * Holds this process's health checks, the database's first; other modules add theirs to
 * `HealthChecks`. The `/api/health` route is the runtime's (its answer depends on who asks).
 */
@Global()
@Module({ providers: [HealthChecks], exports: [HealthChecks] })
export class HealthModule implements OnModuleInit {
  constructor(
    @Inject(HealthChecks) private readonly checks: HealthChecks,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  onModuleInit(): void {
    this.checks.add('database', async () => {
      await this.pool.query('SELECT 1');
    });
  }
}
