export * from './outbox.module';
export * from './outbox-record-writer';
export * from './outbox-relay';
export * from './outbox-waker';
export * from './write-outbox-event';
