import { APP_CONFIG, type BaseConfig } from '@hivebase/platform';
import { Global, Inject, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { checksFreshnessPerRequest, SchemaFreshnessMiddleware } from './schema-freshness.middleware';
import { SchemaRegistry } from './schema-registry';

/** Collection metadata for every module: bootstrap at boot, cached, kept fresh across replicas. */
@Global()
@Module({ providers: [SchemaRegistry], exports: [SchemaRegistry] })
export class SchemaModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: BaseConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    // Only where it checks anything: a middleware bound to every route costs each request a pass
    // through Nest's middleware engine even when it just calls next().
    if (!checksFreshnessPerRequest(this.config)) return;
    consumer.apply(SchemaFreshnessMiddleware).forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
  }
}
