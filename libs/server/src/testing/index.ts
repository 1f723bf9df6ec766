export * from './postgres-server';
export * from './test-database';
