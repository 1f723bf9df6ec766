import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { BaseConfig } from '../config/config.schema';
import { AuthAttemptLimiter, authAttemptLimitsOf } from './auth-attempt-limiter';

type RateLimitConfig = Pick<
  BaseConfig,
  | 'mode'
  | 'redisUrl'
  | 'redisPrefix'
  | 'authMaxFailedPerIdentity'
  | 'authMaxFailedPerIp'
  | 'authFailedWindowSeconds'
  | 'authBlockSeconds'
>;

/**
 * Provides `AuthAttemptLimiter` for the process's mode: counts in memory when standalone (one
 * process sees every attempt), in Redis when distributed (every replica shares the counts). Boot
 * fails if Redis is unreachable.
 */
@Global()
@Module({})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(@Inject(AuthAttemptLimiter) private readonly limiter: AuthAttemptLimiter) {}

  static forRoot(config: RateLimitConfig): DynamicModule {
    const limits = authAttemptLimitsOf(config);
    const provider = {
      provide: AuthAttemptLimiter,
      useFactory: (): AuthAttemptLimiter | Promise<AuthAttemptLimiter> =>
        config.mode === 'distributed'
          ? AuthAttemptLimiter.connect(config.redisUrl, limits, { keyPrefix: `${config.redisPrefix}:auth-fail` })
          : AuthAttemptLimiter.inMemory(limits),
    };
    return { module: RateLimitModule, providers: [provider], exports: [AuthAttemptLimiter] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.limiter.close();
  }
}
