export * from './import-pocketbase';
export * from './import-progress';
export * from './import-report';
export { PocketBaseImportError } from './pocketbase-data';
