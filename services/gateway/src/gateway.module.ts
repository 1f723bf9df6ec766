import { ConfigModule, type GatewayConfig, LoggingModule } from '@hivebase/platform';
import { type DynamicModule, Module } from '@nestjs/common';
import { UpstreamHealthController } from './health/upstream-health.controller';
import { UPSTREAM_POOLS, type UpstreamPools } from './proxy/upstream-pools';

/**
 * The public entry of the distributed shape. It holds no data of its own: it proxies to the
 * services (see `registerProxy`) and answers `/api/health` for all of them.
 */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, pools: UpstreamPools): DynamicModule {
    return {
      module: GatewayModule,
      imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(config, 'gateway')],
      controllers: [UpstreamHealthController],
      providers: [{ provide: UPSTREAM_POOLS, useValue: pools }],
    };
  }
}
