export * from './auth-defaults';
export * from './collection-json';
export * from './make-field';
export * from './normalize-collection';
export * from './system-collections';
export * from './system-fields';
export * from './validate-collection';
