export * from './record-rule';
export * from './rule-context';
