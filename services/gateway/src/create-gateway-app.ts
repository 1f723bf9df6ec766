import { createHttpApp, type GatewayConfig } from '@hivebase/server';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { registerCors } from './edge/cors';
import { GatewayModule } from './gateway.module';
import { registerProxy } from './proxy/proxy.plugin';

/** The gateway app, configured and ready to `listen`. */
export function createGatewayApp(config: GatewayConfig): Promise<NestFastifyApplication> {
  return createHttpApp(GatewayModule.forRoot(config), {
    config,
    // The gateway never parses bodies: they stream to the owning service.
    bodyParser: false,
    configureFastify: async (fastify) => {
      await registerCors(fastify, config);
      await registerProxy(fastify, config);
    },
  });
}
