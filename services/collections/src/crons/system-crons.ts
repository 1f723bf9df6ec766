import { CRON_SCHEDULER, type CronScheduler, deleteOldLogs, PG_POOL } from '@hivebase/platform';
import { type RecordAccess, RecordsError, type RecordWriter } from '@hivebase/records';
import { OutboxWaker, outboxRecordWriter, SchemaRegistry, SettingsService } from '@hivebase/runtime';
import { type AuthCollection, isAuthCollection, nowDateTime, quoteIdent } from '@hivebase/schema';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';

/**
 * The PocketBase system jobs Hivebase has a real counterpart for, with PocketBase's ids and
 * schedules. Not registered: `__pbDBOptimize__` (SQLite's PRAGMA optimize / WAL checkpoint;
 * Postgres's autovacuum and autoanalyze do that work) and `__pbRateLimitersCleanup__` (the
 * rate-limit counters are Redis keys that expire by themselves).
 */
export const SYSTEM_CRONS = {
  logsCleanup: { id: '__pbLogsCleanup__', expression: '0 */6 * * *' },
  mfaCleanup: { id: '__pbMFACleanup__', expression: '0 * * * *' },
  otpCleanup: { id: '__pbOTPCleanup__', expression: '0 * * * *' },
} as const;

// The system's own deletes: no rules apply.
const SYSTEM_ACCESS: RecordAccess = {
  isSuperuser: true,
  system: true,
  request: { context: 'default', method: 'POST', headers: {}, query: {}, body: {}, auth: null },
};

/** Registers the system crons on the scheduler this service serves `/api/crons` from. */
@Injectable()
export class SystemCrons implements OnModuleInit {
  private readonly logger = new Logger('SystemCrons');
  private readonly writer: RecordWriter;

  constructor(
    @Inject(CRON_SCHEDULER) private readonly scheduler: CronScheduler,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(OutboxWaker) waker: OutboxWaker,
  ) {
    // `_otps` and `_mfas` hold no files, so the writer needs no file store.
    this.writer = outboxRecordWriter(pool, registry, { waker });
  }

  onModuleInit(): void {
    const { logsCleanup, mfaCleanup, otpCleanup } = SYSTEM_CRONS;
    this.scheduler.add(logsCleanup.id, logsCleanup.expression, () => this.deleteOldLogs());
    this.scheduler.add(mfaCleanup.id, mfaCleanup.expression, () =>
      this.deleteExpired('_mfas', (collection) => collection.mfa.duration),
    );
    this.scheduler.add(otpCleanup.id, otpCleanup.expression, () =>
      this.deleteExpired('_otps', (collection) => collection.otp.duration),
    );
  }

  /** The logs older than `settings.logs.maxDays` days. */
  async deleteOldLogs(now = new Date()): Promise<void> {
    const deleted = await deleteOldLogs(this.pool, this.settings.get().logs.maxDays, now);
    this.logger.debug({ msg: 'old logs deleted', deleted });
  }

  /**
   * The MFA or OTP records older than their auth collection's duration (seconds), for every
   * auth collection, enabled or not (so none lingers after a switch-off). Deleted one by one
   * through the record writer, so each delete sends its record event as PocketBase's do.
   */
  async deleteExpired(name: '_mfas' | '_otps', durationOf: (collection: AuthCollection) => number): Promise<void> {
    const system = this.registry.find(name);
    if (!system) throw new Error(`the system collection ${name} is missing`);
    let deleted = 0;
    for (const collection of this.registry.all()) {
      if (!isAuthCollection(collection)) continue;
      const cutoff = nowDateTime(new Date(Date.now() - durationOf(collection) * 1000));
      const { rows } = await this.pool.query<{ id: string }>(
        `SELECT id FROM ${quoteIdent(name)} WHERE "collectionRef" = $1 AND created < $2`,
        [collection.id, cutoff],
      );
      for (const { id } of rows) {
        try {
          await this.writer.delete(system, id, SYSTEM_ACCESS);
          deleted++;
        } catch (error) {
          // Used (and deleted) by a sign-in meanwhile: nothing left to do.
          if (!(error instanceof RecordsError && error.code === 'records_not_found')) throw error;
        }
      }
    }
    this.logger.debug({ msg: `expired ${name} deleted`, deleted });
  }
}
