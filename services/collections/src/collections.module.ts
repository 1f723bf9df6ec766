import { Module } from '@nestjs/common';
import { CollectionsController } from './collections/collections.controller';
import { CollectionsService } from './collections/collections.service';
import { RecordsController } from './records/records.controller';
import { RecordsService } from './records/records.service';
import { SettingsController } from './settings/settings.controller';

/**
 * The collections service's feature module: the collections (schema) API and record CRUD.
 * Batch and extension routes arrive with later issues.
 */
@Module({
  controllers: [CollectionsController, RecordsController, SettingsController],
  providers: [CollectionsService, RecordsService],
})
export class CollectionsModule {}
