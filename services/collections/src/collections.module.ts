import { Module } from '@nestjs/common';
import { BatchController } from './batch/batch.controller';
import { BatchService } from './batch/batch.service';
import { CollectionsController } from './collections/collections.controller';
import { CollectionsService } from './collections/collections.service';
import { RecordsController } from './records/records.controller';
import { RecordsService } from './records/records.service';
import { SettingsController } from './settings/settings.controller';

/**
 * The collections service's feature module: the collections (schema) API, record CRUD and batch.
 * Extension routes arrive with later issues.
 */
@Module({
  controllers: [CollectionsController, RecordsController, SettingsController, BatchController],
  providers: [CollectionsService, RecordsService, BatchService],
})
export class CollectionsModule {}
