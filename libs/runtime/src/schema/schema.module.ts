import { Global, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { SchemaFreshnessMiddleware } from './schema-freshness.middleware';
import { SchemaRegistry } from './schema-registry';

/** Collection metadata for every module: bootstrap at boot, cached, kept fresh across replicas. */
@Global()
@Module({ providers: [SchemaRegistry], exports: [SchemaRegistry] })
export class SchemaModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SchemaFreshnessMiddleware).forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
  }
}
