export * from './outbox.module';
export * from './outbox-relay';
export * from './write-outbox-event';
