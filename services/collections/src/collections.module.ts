import { CronModule } from '@hivebase/platform';
import { FileCleanupModule, LogsApiModule, MailModule } from '@hivebase/runtime';
import { Module } from '@nestjs/common';
import { AutoBackupJob } from './backups/auto-backup.job';
import { BackupBodyLimits } from './backups/backup-body-limits';
import { BackupsController } from './backups/backups.controller';
import { BackupsService } from './backups/backups.service';
import { BatchController } from './batch/batch.controller';
import { BatchService } from './batch/batch.service';
import { CollectionsController } from './collections/collections.controller';
import { CollectionsService } from './collections/collections.service';
import { CronsController } from './crons/crons.controller';
import { SystemCrons } from './crons/system-crons';
import { ExtensionCrons } from './extensions/extension-crons';
import { ExtensionRoutes } from './extensions/extension-routes';
import { OpenApiController } from './openapi/openapi.controller';
import { ViewPreviewController } from './openapi/view-preview.controller';
import { RecordBodyLimits } from './records/record-body-limits';
import { RecordsRoutes } from './records/records.routes';
import { RecordsService } from './records/records.service';
import { SettingsController } from './settings/settings.controller';
import { TestEmailService } from './settings/test-email.service';
import { SqlModule } from './sql/sql.module';

/**
 * The collections service's feature module: the collections (schema) API, record CRUD and batch.
 * Extension routes (`routes.get(…)` in hb_hooks) are served here too.
 */
@Module({
  // Enqueues mail and sends test mail; the auth service runs the mail worker. Removes the
  // stored files that writes drop (with the files service). Hosts the cron scheduler (`/api/crons`).
  imports: [MailModule.forRoot({ worker: false }), FileCleanupModule, LogsApiModule, SqlModule, CronModule],
  controllers: [
    CollectionsController,
    SettingsController,
    BatchController,
    OpenApiController,
    ViewPreviewController,
    BackupsController,
    CronsController,
  ],
  providers: [
    CollectionsService,
    RecordsService,
    RecordsRoutes,
    RecordBodyLimits,
    BatchService,
    TestEmailService,
    BackupsService,
    BackupBodyLimits,
    AutoBackupJob,
    SystemCrons,
    ExtensionRoutes,
    ExtensionCrons,
  ],
})
export class CollectionsModule {}
