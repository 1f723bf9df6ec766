import type { BaseConfig } from '@hivebase/platform';
import { APP_CONFIG, freshRun, PG_POOL } from '@hivebase/platform';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { SettingsService } from '../settings/settings.service';
import { SETTINGS_PARAM_ID } from '../settings/settings-store';
import { SchemaRegistry } from './schema-registry';
import { SCHEMA_VERSION_SQL } from './schema-store';

// Both versions in one round trip; the same expressions as `schemaVersion` and `settingsVersion`.
const CURRENT_VERSIONS_SQL = `SELECT ${SCHEMA_VERSION_SQL} AS schema,
  (SELECT updated FROM "_params" WHERE id = $1) AS settings`;

/**
 * Read-your-writes for the schema and the settings across processes: before a request runs, this
 * replica compares its cached versions with the database's and reloads what is stale. A change
 * that returned 200 anywhere is committed, so every request that follows it sees it, on every
 * replica of every service, without waiting for the bus. Requests that arrive together share one
 * version query (never a reload per request); only the distributed shape needs it, since a
 * standalone process updates its caches before the change returns.
 */
/** Whether requests check the versions (distributed, unless `HB_SCHEMA_FRESHNESS=event`). */
export const checksFreshnessPerRequest = (config: Pick<BaseConfig, 'mode' | 'schemaFreshness'>): boolean =>
  config.mode === 'distributed' && config.schemaFreshness === 'request';

@Injectable()
export class SchemaFreshness implements OnModuleInit {
  private readonly logger = new Logger(SchemaFreshness.name);
  private readonly enabled: boolean;
  private readonly check: () => Promise<void>;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(APP_CONFIG) config: BaseConfig,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    schema: SchemaRegistry,
    settings: SettingsService,
  ) {
    this.enabled = checksFreshnessPerRequest(config);
    this.check = freshRun(async () => {
      const { rows } = await pool.query<{ schema: string; settings: Date | null }>(CURRENT_VERSIONS_SQL, [
        SETTINGS_PARAM_ID,
      ]);
      await Promise.all([
        schema.ensureVersion(rows[0].schema),
        settings.ensureVersion(rows[0].settings?.toISOString() ?? ''),
      ]);
    });
  }

  /**
   * A Fastify hook on every request of the app (not a Nest middleware: those run through an
   * engine of their own on every request), and only where it checks anything.
   */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!this.enabled || !fastify) return;
    fastify.addHook('onRequest', (request, _reply, done) => {
      // Health probes come every few seconds from every gateway and read neither.
      if (request.url.startsWith('/api/health')) {
        done();
        return;
      }
      this.check().then(
        () => done(),
        (error: unknown) => {
          // The database is what answers the request anyway; serve from the cache and let it fail there.
          this.logger.warn({ err: error }, 'schema version check failed');
          done();
        },
      );
    });
  }
}
