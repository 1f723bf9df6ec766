export * from './auth-attempt-limiter';
export * from './rate-limit.module';
