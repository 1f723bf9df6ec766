import { Module } from '@nestjs/common';
import { OutboxRelay } from './outbox-relay';

/** Runs the outbox relay in every process; only one replica at a time actually relays. */
@Module({ providers: [OutboxRelay], exports: [OutboxRelay] })
export class OutboxModule {}
