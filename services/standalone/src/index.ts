export * from './distributed/launch-distributed';
export * from './embedded-postgres';
export * from './migrate';
export * from './pocketbase-import';
export * from './serve';
export * from './standalone.module';
export * from './standalone-config';
export * from './superusers';
