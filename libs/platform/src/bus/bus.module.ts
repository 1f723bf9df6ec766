import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { BaseConfig } from '../config/config.schema';
import { HealthChecks } from '../health/health-checks';
import { EVENT_BUS, type EventBus } from './event-bus';
import { InProcessEventBus } from './in-process-event-bus';
import { RedisEventBus } from './redis-event-bus';

/**
 * Provides `EVENT_BUS` for the process's mode: in-process when standalone, Redis pub/sub when
 * distributed (which also adds the `redis` health check). Boot fails if Redis is unreachable.
 */
@Global()
@Module({})
export class BusModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  static forRoot(config: Pick<BaseConfig, 'mode' | 'redisUrl' | 'redisPrefix'>): DynamicModule {
    const provider =
      config.mode === 'distributed'
        ? {
            provide: EVENT_BUS,
            useFactory: async (checks: HealthChecks): Promise<EventBus> => {
              const bus = await RedisEventBus.connect(config.redisUrl, { channelPrefix: `${config.redisPrefix}:` });
              checks.add('redis', () => bus.ping());
              return bus;
            },
            inject: [HealthChecks],
          }
        : { provide: EVENT_BUS, useFactory: (): EventBus => new InProcessEventBus() };
    return { module: BusModule, providers: [provider], exports: [EVENT_BUS] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
