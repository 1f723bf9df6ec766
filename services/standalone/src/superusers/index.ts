export * from './installer';
export * from './superusers';
