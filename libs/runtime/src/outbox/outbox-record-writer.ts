import { type RecordFileStore, RecordWriter } from '@hivebase/records';
import { type CollectionLookup, ROWID_COLUMN } from '@hivebase/schema';
import type { Pool } from 'pg';
import { writeOutboxEvent } from './write-outbox-event';

/**
 * Password hashes and token keys stay in the database; events travel over Redis. The insertion
 * number is no field either.
 */
function withoutSecrets(row: Record<string, unknown>): Record<string, unknown> {
  const { password: _password, tokenKey: _tokenKey, [ROWID_COLUMN]: _rowid, ...rest } = row;
  return rest;
}

/**
 * The record writer every service uses: each write leaves its `record.changed` event in the
 * outbox inside its own transaction, and the relay publishes it after commit.
 */
export function outboxRecordWriter(pool: Pool, lookup: CollectionLookup, files?: RecordFileStore): RecordWriter {
  return new RecordWriter(
    pool,
    lookup,
    (client, { action, collection, record, previous }) =>
      writeOutboxEvent(client, {
        action,
        collectionId: collection.id,
        collectionName: collection.name,
        record: withoutSecrets(record),
        ...(previous ? { previous: withoutSecrets(previous) } : {}),
      }),
    files,
  );
}
