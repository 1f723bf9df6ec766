export * from './logs.module';
export * from './logs-query';
