import { Module } from '@nestjs/common';
import { CollectionsController } from './collections/collections.controller';
import { CollectionsService } from './collections/collections.service';

/**
 * The collections service's feature module: the collections (schema) API. Records, batch,
 * settings and extension routes arrive with later issues.
 */
@Module({ controllers: [CollectionsController], providers: [CollectionsService] })
export class CollectionsModule {}
