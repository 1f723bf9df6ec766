import { CRON_SCHEDULER, type CronJobInfo, type CronScheduler } from '@hivebase/platform';
import { BODY_POLICIES, BodyErrors, SuperuserGuard } from '@hivebase/runtime';
import { Controller, Get, HttpCode, Inject, Logger, Param, Post, UseGuards } from '@nestjs/common';
import { CollectionsError } from '../collections.errors';

/** PocketBase's crons API: list the jobs and run one now; superusers only. */
@Controller('api/crons')
@UseGuards(SuperuserGuard)
export class CronsController {
  private readonly logger = new Logger('Crons');

  constructor(@Inject(CRON_SCHEDULER) private readonly scheduler: CronScheduler) {}

  @Get()
  list(): CronJobInfo[] {
    return this.scheduler.list();
  }

  /** Answers 204 at once and runs the job in the background, as PocketBase does. */
  @BodyErrors(BODY_POLICIES.ignore)
  @Post(':id')
  @HttpCode(204)
  run(@Param('id') id: string): void {
    if (!this.scheduler.has(id)) throw new CollectionsError('crons_not_found');
    // run() logs a failing job itself; this only catches the job vanishing in between.
    this.scheduler.run(id).catch((error: unknown) => this.logger.warn({ err: error, job: id }, 'cron run failed'));
  }
}
