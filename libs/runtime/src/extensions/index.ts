export * from './extension-api';
export * from './extension-loader';
export * from './extension-record-hooks';
export * from './extension-registry';
export * from './extensions.module';
export * from './hook-context';
