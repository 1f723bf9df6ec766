export * from './api-error';
export * from './client-error';
export * from './events';
export * from './health';
export * from './list-result';
export * from './realtime';
export * from './sql-identifier';
export * from './uploaded-file';
