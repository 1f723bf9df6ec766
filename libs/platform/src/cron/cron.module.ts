import {
  type BeforeApplicationShutdown,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { BaseConfig } from '../config/config.schema';
import { connectRedis } from '../redis/connect-redis';
import { InProcessCronLock, RedisCronLock } from './cron-lock';
import { CronRunner } from './cron-runner';
import { CRON_SCHEDULER, type CronScheduler } from './cron-scheduler';

/**
 * Provides `CRON_SCHEDULER` for the process's mode: an in-process lock when standalone, a Redis
 * lock shared by the replicas when distributed. Imported by the service that serves `/api/crons`
 * (collections); modules add their jobs in `onModuleInit`, and ticking starts at bootstrap.
 */
@Global()
@Module({
  providers: [
    {
      provide: CRON_SCHEDULER,
      inject: [APP_CONFIG],
      useFactory: async (config: Pick<BaseConfig, 'mode' | 'redisUrl' | 'redisPrefix'>): Promise<CronScheduler> => {
        if (config.mode !== 'distributed') return new CronRunner({ lock: new InProcessCronLock() });
        const redis = await connectRedis(config.redisUrl, { role: 'cron', logger: new Logger('Cron') });
        return new CronRunner({ lock: new RedisCronLock(redis, config.redisPrefix) });
      },
    },
  ],
  exports: [CRON_SCHEDULER],
})
export class CronModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(CRON_SCHEDULER) private readonly scheduler: CronScheduler) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.scheduler.start();
  }

  // Before the database pool and bus close (their onApplicationShutdown), so running jobs finish.
  async beforeApplicationShutdown(): Promise<void> {
    await this.scheduler.close();
  }
}
