import type { RecordChangedEvent } from '@hivebase/contracts';
import type pg from 'pg';

/**
 * Queues `event` in `_outbox` on `client`, which must be inside the caller's write transaction:
 * the event exists if and only if the write commits. Call it after the row write, whose row lock
 * makes a later change to the same record queue (and so publish) after this one. Record writes
 * queue theirs in the write statement itself (`outboxFeed`).
 */
export async function writeOutboxEvent(client: pg.ClientBase, event: RecordChangedEvent): Promise<void> {
  await client.query('INSERT INTO "_outbox" ("event") VALUES ($1)', [JSON.stringify(event)]);
}
