import { Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import { HealthController } from './health.controller';
import { HealthChecks } from './health-checks';

/** Serves `/api/health` and checks the database; other modules add checks to `HealthChecks`. */
@Global()
@Module({ controllers: [HealthController], providers: [HealthChecks], exports: [HealthChecks] })
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
