import {
  APP_CONFIG,
  type BaseConfig,
  connectRedis,
  EVENT_BUS,
  type EventBus,
  JOB_QUEUE,
  type JobQueue,
  PG_POOL,
} from '@hivebase/platform';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Pool } from 'pg';
import { MemoryRateLimitCounter, type RateLimitCounter, RedisRateLimitCounter } from '../rate-limit/rate-limit-counter';
import type { EdgeHooks } from './edge-hooks';
import { EdgeRuntime } from './edge-runtime';

const EDGE_HOOKS = Symbol('EDGE_HOOKS');
export const EDGE_RUNTIME = Symbol('EDGE_RUNTIME');

@Injectable()
class EdgeLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EDGE_RUNTIME) private readonly runtime: EdgeRuntime,
    @Inject(EDGE_HOOKS) private readonly hooks: EdgeHooks,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.runtime.start();
    this.hooks.runtime = this.runtime;
  }

  async onApplicationShutdown(): Promise<void> {
    this.hooks.runtime = undefined;
    await this.runtime.stop();
  }
}

/**
 * Request logs and rate limits (`EdgeRuntime`) for a process that has the database, the bus and
 * the job queue (the gateway adds them; the standalone process has them from its core). Counts
 * live in Redis in the distributed shape, so every gateway replica shares one budget.
 */
@Module({})
export class EdgeModule {
  static forRoot(hooks: EdgeHooks): DynamicModule {
    return {
      module: EdgeModule,
      providers: [
        { provide: EDGE_HOOKS, useValue: hooks },
        {
          provide: EDGE_RUNTIME,
          useFactory: async (config: BaseConfig, pool: Pool, bus: EventBus, jobs: JobQueue) => {
            let counter: RateLimitCounter = new MemoryRateLimitCounter();
            if (config.mode === 'distributed') {
              const redis = await connectRedis(config.redisUrl, {
                role: 'rate-limit',
                logger: new Logger('rate-limit'),
              });
              counter = new RedisRateLimitCounter(redis, `${config.redisPrefix}:rl`);
            }
            return new EdgeRuntime({ pool, bus, jobs, counter });
          },
          inject: [APP_CONFIG, PG_POOL, EVENT_BUS, JOB_QUEUE],
        },
        EdgeLifecycle,
      ],
      exports: [EDGE_RUNTIME],
    };
  }
}
