import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { BaseConfig } from '../config/config.schema';
import { processMetrics } from '../metrics/metrics';
import { BullJobQueue } from './bull-job-queue';
import { InProcessJobQueue } from './in-process-job-queue';
import { JOB_QUEUE, type JobQueue } from './job-queue';

/**
 * Provides `JOB_QUEUE` for the process's mode: in-process when standalone, BullMQ when
 * distributed. Modules register their handlers in `onModuleInit`; the queue starts at bootstrap,
 * after all of them, so a job without a handler fails boot (standalone) instead of waiting forever.
 */
@Global()
@Module({})
export class JobsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(JOB_QUEUE) private readonly queue: JobQueue) {}

  static forRoot(config: Pick<BaseConfig, 'mode' | 'redisUrl' | 'redisPrefix'>): DynamicModule {
    const provider =
      config.mode === 'distributed'
        ? {
            provide: JOB_QUEUE,
            useFactory: (): Promise<JobQueue> =>
              BullJobQueue.connect(config.redisUrl, { prefix: `${config.redisPrefix}-jobs` }),
          }
        : { provide: JOB_QUEUE, useFactory: (): JobQueue => new InProcessJobQueue() };
    return { module: JobsModule, providers: [provider], exports: [JOB_QUEUE] };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.start();
    const queue = this.queue;
    if (queue.depths) {
      processMetrics().gauge<'job'>({
        name: 'hb_job_queue_depth',
        help: 'Jobs waiting to run (ready, delayed or awaiting a retry), by job name.',
        labelNames: ['job'],
        collect: async (gauge) => {
          for (const [job, depth] of Object.entries((await queue.depths?.()) ?? {})) gauge.set({ job }, depth);
        },
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
