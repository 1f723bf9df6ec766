export * from './auth.module';
export * from './auth-record-cache';
export * from './auth-token';
export * from './passwords';
export * from './request-auth';
export * from './superuser.guard';
export * from './superuser-ips.guard';
