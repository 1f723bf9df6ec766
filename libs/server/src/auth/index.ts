export * from './auth-token';
export * from './passwords';
export * from './request-auth';
export * from './superuser.guard';
export * from './superusers';
