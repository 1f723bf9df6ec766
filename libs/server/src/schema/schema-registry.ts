import type { Collection, CollectionLookup } from '@hivebase/schema';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { EVENT_BUS, type EventBus } from '../bus/event-bus';
import { PG_POOL } from '../database/database.module';
import { ensureSystemCollections } from './bootstrap';
import { lookupOf } from './collection-lookup';
import { applySchemaChanges, loadSchema, type SchemaChange, schemaVersion } from './schema-store';

export const SCHEMA_CHANGED = 'schema.changed';

/** How often a replica compares its schema version with the database's (covers missed events). */
const VERSION_CHECK_MS = 2_000;

/**
 * This process's in-memory copy of every collection. Schema changes made anywhere reach it
 * through `schema.changed` on the bus; a cheap version check every few seconds catches a missed
 * event, so no replica serves a stale schema for long.
 */
@Injectable()
export class SchemaRegistry implements CollectionLookup, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SchemaRegistry.name);
  private lookup: CollectionLookup = lookupOf([]);
  private version = '';
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => Promise<void>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  async onModuleInit(): Promise<void> {
    if (await ensureSystemCollections(this.pool)) this.logger.log('created the system collections');
    await this.reload();
    this.unsubscribe = await this.bus.subscribe(SCHEMA_CHANGED, () => this.reload());
    this.timer = setInterval(() => void this.reloadIfStale(), VERSION_CHECK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.unsubscribe?.();
  }

  find(idOrName: string): Collection | undefined {
    return this.lookup.find(idOrName);
  }

  all(): readonly Collection[] {
    return this.lookup.all();
  }

  async reload(): Promise<void> {
    const snapshot = await loadSchema(this.pool);
    this.lookup = lookupOf(snapshot.collections);
    this.version = snapshot.version;
  }

  private async reloadIfStale(): Promise<void> {
    try {
      if ((await schemaVersion(this.pool)) !== this.version) await this.reload();
    } catch (error) {
      this.logger.warn({ err: error }, 'schema version check failed');
    }
  }

  /** Applies changes (see `applySchemaChanges`), then refreshes here and tells every replica. */
  async apply(
    decide: (current: Collection[]) => SchemaChange[] | Promise<SchemaChange[]>,
    failureMessage?: string,
  ): Promise<(Collection | null)[]> {
    const saved = await applySchemaChanges(this.pool, decide, failureMessage);
    await this.reload();
    await this.bus.publish(SCHEMA_CHANGED, { version: this.version });
    return saved;
  }
}
