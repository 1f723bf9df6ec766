import { type DynamicModule, Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { registerPoolMetrics } from '../metrics/pool-metrics';
import { createDataSource, poolOf, runSystemMigrations } from './data-source';
import { keepConnectionsOnQueryErrors } from './keep-connections';

/** Injection token of the shared pg pool. */
export const PG_POOL = Symbol('PG_POOL');

export interface DatabaseModuleOptions {
  url: string;
  /** Apply pending system migrations before the app serves (idempotent, replica-safe). */
  migrate: boolean;
  applicationName?: string;
}

/** Connects to Postgres once per process; provides the DataSource and its pg pool. */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseModule.name);

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          useFactory: async () => {
            const dataSource = await createDataSource(options).initialize();
            if (options.migrate) {
              const applied = await runSystemMigrations(dataSource);
              if (applied.length > 0) new Logger(DatabaseModule.name).log(`applied migrations: ${applied.join(', ')}`);
            }
            return dataSource;
          },
        },
        {
          provide: PG_POOL,
          useFactory: (dataSource: DataSource): Pool => {
            const pool = keepConnectionsOnQueryErrors(poolOf(dataSource));
            registerPoolMetrics(pool);
            return pool;
          },
          inject: [DataSource],
        },
      ],
      exports: [DataSource, PG_POOL],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    await this.dataSource.destroy();
    this.logger.log('database pool closed');
  }
}
