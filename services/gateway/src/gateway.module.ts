import {
  BusModule,
  ConfigModule,
  DatabaseModule,
  type GatewayConfig,
  HealthModule,
  JobsModule,
  LoggingModule,
} from '@hivebase/platform';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { EdgeModule } from './edge/edge.module';
import type { EdgeHooks } from './edge/edge-hooks';
import { UpstreamHealthController } from './health/upstream-health.controller';
import { UPSTREAM_POOLS, type UpstreamPools } from './proxy/upstream-pools';

/**
 * The public entry of the distributed shape. It holds no data of its own: it proxies to the
 * services (see `registerProxy`) and answers `/api/health` for all of them.
 */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, pools: UpstreamPools, edge?: EdgeHooks): DynamicModule {
    // Request logs and rate limits need the database (and, distributed, Redis and BullMQ).
    const edgeImports =
      edge && config.databaseUrl
        ? [
            DatabaseModule.forRoot({
              url: config.databaseUrl,
              migrate: config.migrateOnBoot,
              applicationName: 'gateway',
            }),
            HealthModule,
            BusModule.forRoot(config),
            JobsModule.forRoot(config),
            EdgeModule.forRoot(edge),
          ]
        : [];
    if (edge && !config.databaseUrl) {
      new Logger('gateway').warn('no DATABASE_URL: request logs and rate limits are off');
    }
    return {
      module: GatewayModule,
      imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(config, 'gateway'), ...edgeImports],
      controllers: [UpstreamHealthController],
      providers: [{ provide: UPSTREAM_POOLS, useValue: pools }],
    };
  }
}
