export * from './create-gateway-app';
export * from './edge/cors';
export * from './gateway.module';
export * from './proxy/upstream-routes';
