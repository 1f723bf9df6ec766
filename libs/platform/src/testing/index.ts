export * from './postgres-server';
export * from './recorder';
export * from './smtp-capture';
export * from './test-database';
