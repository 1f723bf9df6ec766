import { Global, Module } from '@nestjs/common';
import { SchemaRegistry } from './schema-registry';

/** Collection metadata for every module: bootstrap at boot, cached, kept fresh across replicas. */
@Global()
@Module({ providers: [SchemaRegistry], exports: [SchemaRegistry] })
export class SchemaModule {}
