import { APP_CONFIG, type BaseConfig } from '@hivebase/platform';
import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
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

function limiterFor(config: RateLimitConfig): AuthAttemptLimiter | Promise<AuthAttemptLimiter> {
  const limits = authAttemptLimitsOf(config);
  return config.mode === 'distributed'
    ? AuthAttemptLimiter.connect(config.redisUrl, limits, { keyPrefix: `${config.redisPrefix}:auth-fail` })
    : AuthAttemptLimiter.inMemory(limits);
}

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
    const provider = { provide: AuthAttemptLimiter, useFactory: () => limiterFor(config) };
    return { module: RateLimitModule, providers: [provider], exports: [AuthAttemptLimiter] };
  }

  /** The same, configured from the process's `APP_CONFIG` (the auth service's feature module). */
  static fromAppConfig(): DynamicModule {
    const provider = { provide: AuthAttemptLimiter, inject: [APP_CONFIG], useFactory: limiterFor };
    return { module: RateLimitModule, providers: [provider], exports: [AuthAttemptLimiter] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.limiter.close();
  }
}
