export * from './model/collection.model';
export * from './model/field.model';
