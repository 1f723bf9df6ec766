export * from './rule-context';
