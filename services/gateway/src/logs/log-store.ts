import type { Pool } from 'pg';
import { type LogEntry, pbDate } from './request-log';

/** Writes a batch of log entries in one statement. */
export async function insertLogs(pool: Pool, entries: readonly LogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await pool.query(
    `INSERT INTO "_logs" (id, created, level, message, data)
     SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::jsonb[])
     ON CONFLICT (id) DO NOTHING`,
    [
      entries.map((entry) => entry.id),
      entries.map((entry) => entry.created),
      entries.map((entry) => entry.level),
      entries.map((entry) => entry.message),
      entries.map((entry) => JSON.stringify(entry.data)),
    ],
  );
}

/**
 * PocketBase's retention: deletes the logs created `maxDays` days ago or earlier and, after a
 * settings change (`minLevel` given), those under the new minimum level; returns how many.
 */
export async function deleteOldLogs(pool: Pool, maxDays: number, now = new Date(), minLevel?: number): Promise<number> {
  const cutoff = pbDate(new Date(now.getTime() - maxDays * 24 * 60 * 60 * 1000));
  const result =
    minLevel === undefined
      ? await pool.query(`DELETE FROM "_logs" WHERE created <= $1`, [cutoff])
      : await pool.query(`DELETE FROM "_logs" WHERE created <= $1 OR level < $2`, [cutoff, minLevel]);
  return result.rowCount ?? 0;
}
