import {
  type BaseConfig,
  baseConfigSchema,
  ConfigError,
  closeOnSignals,
  createHttpApp,
  listen,
  loadConfig,
} from '@hivebase/platform';
import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CoreModule } from '../core.module';
import { registerRequestBody } from './request-body';

/** Services behind the gateway need a database URL; only standalone can start its own. */
export function requireDatabaseUrl(config: BaseConfig): BaseConfig & { databaseUrl: string } {
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL: required (e.g. postgres://user@host:5432/hivebase)']);
  return { ...config, databaseUrl: config.databaseUrl };
}

/** One service's app: the core (config, logs, database, bus, jobs, health) plus its feature module. */
export function createServiceApp(
  name: string,
  feature: Type | DynamicModule,
  config: BaseConfig & { databaseUrl: string },
): Promise<NestFastifyApplication> {
  @Module({ imports: [CoreModule.forRoot({ name, config }), feature] })
  class ServiceAppModule {}
  // Distributed services sit behind the gateway, which reports the client's address.
  return createHttpApp(ServiceAppModule, {
    config,
    trustedProxyHops: config.mode === 'distributed' ? 1 : 0,
    // Bodies are read as PocketBase reads them (request-body.ts), not by Nest's parsers.
    bodyParser: false,
    configureFastify: registerRequestBody,
  });
}

/** Entry point of a service process behind the gateway: boot from the environment and serve. */
export async function startService(name: string, feature: Type | DynamicModule): Promise<void> {
  const config = requireDatabaseUrl(loadConfig(baseConfigSchema));
  const app = await createServiceApp(name, feature, config);
  await listen(app, config.http.host, config.http.port);
  closeOnSignals(app, config.shutdownTimeoutMs, undefined, config.shutdownDrainMs);
}
