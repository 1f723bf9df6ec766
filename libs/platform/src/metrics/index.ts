export * from './http-metrics';
export * from './metrics';
export * from './metrics-server';
export * from './pool-metrics';
