export * from './bootstrap';
export * from './collection-lookup';
export * from './schema.module';
export * from './schema-registry';
export * from './schema-store';
