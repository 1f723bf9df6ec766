import type { Pool } from 'pg';
import { processMetrics } from './metrics';

/** The pg pool's use: connections open, idle, and requests waiting for one. */
export function registerPoolMetrics(pool: Pool): void {
  processMetrics().gauge<'state'>({
    name: 'hb_db_pool_connections',
    help: 'Postgres pool connections by state (total, idle, waiting requests).',
    labelNames: ['state'],
    collect: (gauge) => {
      gauge.set({ state: 'total' }, pool.totalCount);
      gauge.set({ state: 'idle' }, pool.idleCount);
      gauge.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  processMetrics().gauge<'measure'>({
    name: 'hb_outbox_lag',
    help: 'Record events written but not yet published: how many, and the oldest one’s age in seconds.',
    labelNames: ['measure'],
    collect: async (gauge) => {
      const { rows } = await pool.query<{ pending: string; age: number | null }>(
        `SELECT count(*) AS pending, extract(epoch FROM now() - min(created))::float8 AS age FROM "_outbox"`,
      );
      gauge.set({ measure: 'pending' }, Number(rows[0].pending));
      gauge.set({ measure: 'oldest_seconds' }, rows[0].age ?? 0);
    },
  });
}
