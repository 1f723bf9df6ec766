export * from './access';
export * from './queryable';
export * from './record-expander';
export * from './record-json';
export * from './record-reader';
export * from './record-rule';
export * from './record-writer';
export * from './records.errors';
