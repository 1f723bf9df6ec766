export * from './postgres-server';
export * from './raw-zip';
export * from './recorder';
export * from './smtp-capture';
export * from './test-database';
