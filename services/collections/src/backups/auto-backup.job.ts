import { CRON_SCHEDULER, type CronScheduler } from '@hivebase/platform';
import { SettingsService } from '@hivebase/runtime';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit, Optional } from '@nestjs/common';
import { BackupsService } from './backups.service';

/** PocketBase's id of the automatic backup job (`GET /api/crons` lists it). */
export const AUTO_BACKUP_JOB_ID = '__pbAutoBackup__';

/** How often the job's schedule is compared with `settings.backups.cron`. */
const FOLLOW_SETTINGS_MS = 5_000;

/**
 * Keeps the `__pbAutoBackup__` cron job in step with `settings.backups.cron` (removed when
 * empty), as PocketBase reloads it with the settings. The process's cron scheduler runs it (once
 * per due minute across replicas); without a scheduler in the process nothing is scheduled.
 */
@Injectable()
export class AutoBackupJob implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AutoBackup');
  private scheduled = '';
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(BackupsService) private readonly backups: BackupsService,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Optional() @Inject(CRON_SCHEDULER) private readonly scheduler?: CronScheduler,
  ) {}

  onModuleInit(): void {
    if (!this.scheduler) return;
    this.follow();
    this.timer = setInterval(() => this.follow(), FOLLOW_SETTINGS_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** (Re)registers the job when the expression changed. */
  follow(): void {
    const scheduler = this.scheduler;
    if (!scheduler) return;
    const expression = this.settings.get().backups.cron.trim();
    if (expression === this.scheduled && scheduler.has(AUTO_BACKUP_JOB_ID) === (expression !== '')) return;
    scheduler.remove(AUTO_BACKUP_JOB_ID);
    this.scheduled = expression;
    if (expression === '') return;
    try {
      scheduler.add(AUTO_BACKUP_JOB_ID, expression, () => this.backups.runAutoBackup());
    } catch (error) {
      this.logger.error({ expression, err: error }, 'invalid backups cron expression');
    }
  }
}
