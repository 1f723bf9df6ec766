import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { SYSTEM_MIGRATIONS } from './migrations';

/** Advisory-lock key shared by every process that migrates system tables ("hivebase" in ASCII). */
const MIGRATION_LOCK_KEY = 0x68697665_62617365n;

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/** A TypeORM DataSource for the system tables; its pg pool is shared with the dynamic SQL. */
export function createDataSource({ url, poolSize = 10, applicationName = 'hivebase' }: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    applicationName,
    poolSize,
    entities: [],
    migrations: SYSTEM_MIGRATIONS,
    migrationsTableName: '_migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    // JIT pays off for long analytical queries; for the records API's short rule and filter
    // subqueries it costs 0.1–0.8 s of compilation per query whenever estimates run high.
    // idleTimeoutMillis 0: connections stay open once made (at most `poolSize`); pg-pool would
    // otherwise arm and clear an idle timer on every query's release.
    extra: { connectionTimeoutMillis: 5_000, idleTimeoutMillis: 0, options: '-c jit=off' },
  });
}

/** The pg pool behind an initialised DataSource, for queries TypeORM does not model. */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}

/**
 * Applies pending system migrations. Replicas booting together serialise on a session advisory
 * lock, so exactly one applies each migration and the others find nothing left to do.
 */
export async function runSystemMigrations(dataSource: DataSource): Promise<string[]> {
  const lock = await poolOf(dataSource).connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch(() => undefined);
    lock.release();
  }
}
