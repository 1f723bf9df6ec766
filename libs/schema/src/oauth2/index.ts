export * from './oauth2-providers';
export * from './validate-oauth2-config';
