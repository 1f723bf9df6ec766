import type { RecordChangedEvent } from '@hivebase/contracts';
import type pg from 'pg';

/** Postgres channel the relay LISTENs on; a notification only says "look at the outbox". */
export const OUTBOX_CHANNEL = 'hb_outbox';

/**
 * Queues `event` in `_outbox` on `client`, which must be inside the caller's write transaction:
 * the event exists if and only if the write commits. Call it after the row write, whose row lock
 * makes a later change to the same record queue (and so publish) after this one.
 * The notification is delivered at commit and wakes the relay at once.
 */
export async function writeOutboxEvent(client: pg.ClientBase, event: RecordChangedEvent): Promise<void> {
  await client.query(
    `WITH queued AS (INSERT INTO "_outbox" ("event") VALUES ($1) RETURNING "id")
     SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM queued`,
    [JSON.stringify(event)],
  );
}
