import {
  type ChangeFeed,
  PREVIOUS_CTE,
  type RecordFileStore,
  type RecordWriteHooks,
  RecordWriter,
  WRITTEN_CTE,
} from '@hivebase/records';
import { type CollectionLookup, ROWID_COLUMN } from '@hivebase/schema';
import type { Pool } from 'pg';
import type { OutboxWaker } from './outbox-waker';

/** Columns that never leave the database: password hashes, token keys, the insertion number. */
const UNPUBLISHED = ['password', 'tokenKey', ROWID_COLUMN] as const;

const withoutSecrets = (row: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(row).filter(([column]) => !(UNPUBLISHED as readonly string[]).includes(column)));

/**
 * The outbox as a change feed: each write's `record.changed` event is built from the written row
 * by the write's own statement (so it commits with it, at no extra round trip), and the relay is
 * woken once the transaction committed.
 */
export function outboxFeed(waker?: OutboxWaker): ChangeFeed {
  // One `jsonb - text[]` removes them all with one copy of the row's JSON (a `- 'key'` each would copy it per key).
  const unpublished = ` - '{${UNPUBLISHED.join(',')}}'::text[]`;
  return {
    queueSql({ action, collection, previous }, params) {
      const param = (value: unknown) => `$${params.push(value)}`;
      const event = [
        `'action', ${param(action)}::text`,
        `'collectionId', ${param(collection.id)}::text`,
        `'collectionName', ${param(collection.name)}::text`,
        `'record', to_jsonb(${WRITTEN_CTE})${unpublished}`,
      ];
      if (previous === PREVIOUS_CTE) event.push(`'previous', to_jsonb(${PREVIOUS_CTE})${unpublished}`);
      else if (previous) event.push(`'previous', ${param(JSON.stringify(withoutSecrets(previous)))}::jsonb`);
      const from = previous === PREVIOUS_CTE ? `${WRITTEN_CTE}, ${PREVIOUS_CTE}` : WRITTEN_CTE;
      return `INSERT INTO "_outbox" ("event") SELECT jsonb_build_object(${event.join(', ')}) FROM ${from}`;
    },
    committed: () => waker?.wake(),
  };
}

/**
 * The record writer every service uses: each write leaves its `record.changed` event in the
 * outbox inside its own transaction, and the relay publishes it after commit. Without a waker
 * (a CLI), the relay finds the events on its next poll.
 */
export function outboxRecordWriter(
  pool: Pool,
  lookup: CollectionLookup,
  options: { files?: RecordFileStore; waker?: OutboxWaker; hooks?: RecordWriteHooks } = {},
): RecordWriter {
  return new RecordWriter(pool, lookup, outboxFeed(options.waker), options.files, options.hooks);
}
