import { isUniqueViolation } from '@hivebase/contracts';
import type { Pool } from 'pg';
import type { LogEntry } from './request-log';

const INSERT_LOGS = `INSERT INTO "_logs" (id, created, level, message, data)
  SELECT id, created, level, message, data
  FROM jsonb_to_recordset($1::jsonb) AS entry(id text, created text, level float8, message text, data jsonb)`;

/**
 * Writes a batch of log entries (or their `logEntriesJson`) in one statement. The batch travels as
 * one JSON document: pg would otherwise build and escape five array literals element by element.
 * A batch written again (a job retried after its commit) keeps the rows it already has: that rare
 * case pays for `ON CONFLICT`, whose index probe per row the first write does without.
 */
export async function insertLogs(pool: Pool, entries: readonly LogEntry[] | string): Promise<void> {
  if (entries.length === 0) return;
  const values = [typeof entries === 'string' ? entries : logEntriesJson(entries)];
  try {
    await pool.query({ name: 'hb_logs_insert', text: INSERT_LOGS, values });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await pool.query({ name: 'hb_logs_insert_again', text: `${INSERT_LOGS} ON CONFLICT (id) DO NOTHING`, values });
  }
}

/**
 * One entry as JSON Postgres accepts: a NUL character (a request for `/api/%00`) cannot be stored
 * in text or jsonb and would fail the whole batch, so it becomes U+FFFD. The edge serialises each
 * entry as its request ends, so a batch waiting to go is a list of strings, not object graphs the
 * garbage collector would carry into its old generation.
 */
export function logEntryJson(entry: LogEntry): string {
  const json = JSON.stringify(entry);
  if (!json.includes('\\u0000')) return json;
  return JSON.stringify(entry, (_key, value) =>
    typeof value === 'string' ? value.replaceAll('\0', '\uFFFD') : (value as unknown),
  );
}

/** A batch of `logEntryJson` texts as the JSON array `insertLogs` writes. */
export const logBatchJson = (entries: readonly string[]): string => `[${entries.join(',')}]`;

/** The batch as JSON Postgres accepts (what `insertLogs` also takes as it is). */
export const logEntriesJson = (entries: readonly LogEntry[]): string => logBatchJson(entries.map(logEntryJson));
