export * from './postgres-server';
export * from './smtp-capture';
export * from './test-database';
