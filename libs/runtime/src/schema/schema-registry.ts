import { SCHEMA_CHANGED } from '@hivebase/contracts';
import { EVENT_BUS, type EventBus, PG_POOL, ReplicatedSnapshot } from '@hivebase/platform';
import type { Collection, CollectionLookup } from '@hivebase/schema';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { ensureSystemCollections } from './bootstrap';
import { lookupOf } from './collection-lookup';
import { applySchemaChanges, loadSchema, type SchemaChange, schemaVersion } from './schema-store';

export { SCHEMA_CHANGED };

/** How often a replica compares its schema version with the database's (covers missed events). */
const VERSION_CHECK_MS = 2_000;

/**
 * This process's in-memory copy of every collection. Schema changes made anywhere reach it
 * through `schema.changed` on the bus; a cheap version check every few seconds catches a missed
 * event. In the distributed shape `SchemaFreshness` also checks the version before each
 * request, so a change acknowledged anywhere is seen here by the next request.
 */
@Injectable()
export class SchemaRegistry implements CollectionLookup, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SchemaRegistry.name);
  private readonly snapshot: ReplicatedSnapshot<CollectionLookup>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_BUS) bus: EventBus,
  ) {
    this.snapshot = new ReplicatedSnapshot<CollectionLookup>(
      {
        name: SchemaRegistry.name,
        bus,
        event: SCHEMA_CHANGED,
        load: async () => {
          const { collections, version } = await loadSchema(pool);
          return { value: lookupOf(collections), version };
        },
        version: () => schemaVersion(pool),
        checkEveryMs: VERSION_CHECK_MS,
      },
      lookupOf([]),
    );
  }

  async onModuleInit(): Promise<void> {
    if (await ensureSystemCollections(this.pool)) this.logger.log('created the system collections');
    await this.snapshot.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.snapshot.stop();
  }

  find(idOrName: string): Collection | undefined {
    return this.snapshot.value.find(idOrName);
  }

  all(): readonly Collection[] {
    return this.snapshot.value.all();
  }

  reload(): Promise<void> {
    return this.snapshot.reload();
  }

  /** Reloads unless this copy is at `version` (the database's `_schema_version`, read by the caller). */
  ensureVersion(version: string): Promise<void> {
    return this.snapshot.ensureVersion(version);
  }

  /** Applies changes (see `applySchemaChanges`), then refreshes here and tells every replica. */
  async apply(
    decide: (current: Collection[]) => SchemaChange[] | Promise<SchemaChange[]>,
    failureMessage?: string,
  ): Promise<(Collection | null)[]> {
    const saved = await applySchemaChanges(this.pool, decide, failureMessage);
    await this.snapshot.reload();
    await this.snapshot.publish({ version: this.snapshot.currentVersion });
    return saved;
  }
}
