import { createHttpApp, type GatewayConfig, registerAdminStatic } from '@hivebase/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { registerCors } from './edge/cors';
import { EdgeHooks, registerEdgeHooks } from './edge/edge-hooks';
import { GatewayModule } from './gateway.module';
import { gatewayMetricsRoute } from './metrics/route-template';
import { registerProxy } from './proxy/proxy.plugin';
import type { Resolver } from './proxy/upstream-pool';
import { createUpstreamPools } from './proxy/upstream-pools';

/** The gateway app, configured and ready to `listen` (`resolve` replaces DNS in tests). */
export function createGatewayApp(config: GatewayConfig, resolve?: Resolver): Promise<NestFastifyApplication> {
  const pools = createUpstreamPools(config, resolve);
  const edge = new EdgeHooks();
  return createHttpApp(GatewayModule.forRoot(config, pools, edge), {
    config,
    // The gateway never parses bodies: they stream to the owning service.
    bodyParser: false,
    metricsRoute: gatewayMetricsRoute,
    configureFastify: async (fastify) => {
      await registerCors(fastify, config);
      registerEdgeHooks(fastify, edge);
      await registerProxy(fastify, config, pools);
      registerAdminStatic(fastify);
    },
  });
}
