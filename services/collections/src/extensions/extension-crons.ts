import { CRON_SCHEDULER, type CronScheduler } from '@hivebase/platform';
import { ExtensionRegistry } from '@hivebase/runtime';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';

/**
 * Registers the extensions' crons with the process's cron scheduler (which runs each due job
 * once across the replicas and serves `/api/crons`), and takes them off when the app closes.
 */
@Injectable()
export class ExtensionCrons implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('extensions');

  constructor(
    @Inject(ExtensionRegistry) private readonly extensions: ExtensionRegistry,
    @Optional() @Inject(CRON_SCHEDULER) private readonly scheduler: CronScheduler | null,
  ) {}

  onModuleInit(): void {
    if (this.extensions.crons.length === 0) return;
    if (!this.scheduler) {
      this.logger.warn('no cron scheduler in this process: the extensions’ crons are not scheduled');
      return;
    }
    for (const job of this.extensions.crons) this.scheduler.add(job.id, job.expression, job.handler);
  }

  onModuleDestroy(): void {
    for (const job of this.extensions.crons) this.scheduler?.remove(job.id);
  }
}
