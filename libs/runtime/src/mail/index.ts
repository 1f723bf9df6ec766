export * from './compose-auth-mail';
export * from './mail.module';
export * from './mail-message';
export * from './mail-module-options';
export * from './mail-worker';
export * from './mailer';
export * from './smtp-mail-sender';
