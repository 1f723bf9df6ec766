import { pbDateTime } from '@hivebase/contracts';
import type { Pool } from 'pg';

/**
 * PocketBase's log retention on `_logs` (a system table of this package's migrations): deletes
 * the logs created `maxDays` days before `now` or earlier (every log when `maxDays` is 0) and,
 * when `minLevel` is given (after a settings change), those under it; returns how many went. Run
 * by the `__pbLogsCleanup__` cron and by the gateway when the logs settings change.
 */
export async function deleteOldLogs(pool: Pool, maxDays: number, now = new Date(), minLevel?: number): Promise<number> {
  const cutoff = pbDateTime(new Date(now.getTime() - maxDays * 24 * 60 * 60 * 1000));
  const result =
    minLevel === undefined
      ? await pool.query(`DELETE FROM "_logs" WHERE created <= $1`, [cutoff])
      : await pool.query(`DELETE FROM "_logs" WHERE created <= $1 OR level < $2`, [cutoff, minLevel]);
  return result.rowCount ?? 0;
}
