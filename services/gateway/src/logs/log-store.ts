import type { Pool } from 'pg';
import type { LogEntry } from './request-log';

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
