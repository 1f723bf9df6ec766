export * from './plan-schema-change';
