export * from './create-gateway-app';
export * from './edge/cors';
export * from './edge/edge.module';
export * from './edge/edge-hooks';
export * from './gateway.module';
export * from './proxy/upstream-routes';
