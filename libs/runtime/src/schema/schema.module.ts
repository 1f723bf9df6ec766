import { Global, Module } from '@nestjs/common';
import { SchemaFreshness } from './schema-freshness';
import { SchemaRegistry } from './schema-registry';

/** Collection metadata for every module: bootstrap at boot, cached, kept fresh across replicas. */
@Global()
@Module({ providers: [SchemaRegistry, SchemaFreshness], exports: [SchemaRegistry] })
export class SchemaModule {}
