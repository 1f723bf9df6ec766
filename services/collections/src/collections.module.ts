import { MailModule } from '@hivebase/runtime';
import { Module } from '@nestjs/common';
import { BatchController } from './batch/batch.controller';
import { BatchService } from './batch/batch.service';
import { CollectionsController } from './collections/collections.controller';
import { CollectionsService } from './collections/collections.service';
import { RecordsController } from './records/records.controller';
import { RecordsService } from './records/records.service';
import { SettingsController } from './settings/settings.controller';
import { TestEmailService } from './settings/test-email.service';

/**
 * The collections service's feature module: the collections (schema) API, record CRUD and batch.
 * Extension routes arrive with later issues.
 */
@Module({
  // Enqueues mail and sends test mail; the auth service runs the mail worker.
  imports: [MailModule.forRoot({ worker: false })],
  controllers: [CollectionsController, RecordsController, SettingsController, BatchController],
  providers: [CollectionsService, RecordsService, BatchService, TestEmailService],
})
export class CollectionsModule {}
