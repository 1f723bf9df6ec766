import type { Pool } from 'pg';
import type { LogEntry } from './request-log';

/**
 * Writes a batch of log entries (or their `logEntriesJson`) in one statement. The batch travels as
 * one JSON document: pg would otherwise build and escape five array literals element by element.
 */
export async function insertLogs(pool: Pool, entries: readonly LogEntry[] | string): Promise<void> {
  if (entries.length === 0) return;
  await pool.query(
    `INSERT INTO "_logs" (id, created, level, message, data)
     SELECT id, created, level, message, data
     FROM jsonb_to_recordset($1::jsonb) AS entry(id text, created text, level float8, message text, data jsonb)
     ON CONFLICT (id) DO NOTHING`,
    [typeof entries === 'string' ? entries : logEntriesJson(entries)],
  );
}

/**
 * The batch as JSON Postgres accepts (what `insertLogs` also takes as it is): a NUL character (a
 * request for `/api/%00`) cannot be stored in text or jsonb and would fail the whole batch, so it
 * becomes U+FFFD.
 */
export function logEntriesJson(entries: readonly LogEntry[]): string {
  const json = JSON.stringify(entries);
  if (!json.includes('\\u0000')) return json;
  return JSON.stringify(entries, (_key, value) =>
    typeof value === 'string' ? value.replaceAll('\0', '\uFFFD') : (value as unknown),
  );
}
