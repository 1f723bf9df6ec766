export * from './oidc-server';
