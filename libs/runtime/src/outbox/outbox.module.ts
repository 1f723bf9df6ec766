import { Global, Module } from '@nestjs/common';
import { OutboxRelay } from './outbox-relay';
import { OutboxWaker } from './outbox-waker';

/** Runs the outbox relay in every process (only one replica at a time actually relays) and its waker. */
@Global()
@Module({ providers: [OutboxRelay, OutboxWaker], exports: [OutboxRelay, OutboxWaker] })
export class OutboxModule {}
