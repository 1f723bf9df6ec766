import { type BaseConfig, createDataSource, poolOf, runSystemMigrations } from '@hivebase/platform';
import type { Pool } from 'pg';
import { useEmbeddedPostgres } from './embedded-postgres';
import { withDatabase } from './serve';
import { createSuperuser, deleteSuperuser, updateSuperuser, upsertSuperuser } from './superusers';

/** Runs a superuser command on the configured database; migrations first, so it works on a fresh one. */
function onDatabase<T>(config: BaseConfig, run: (pool: Pool) => Promise<T>): Promise<T> {
  return withDatabase(
    config,
    async (resolved, stopDatabase) => {
      const dataSource = await createDataSource({ url: resolved.databaseUrl, poolSize: 2 }).initialize();
      try {
        await runSystemMigrations(dataSource);
        return await run(poolOf(dataSource));
      } finally {
        await dataSource.destroy();
        await stopDatabase();
      }
    },
    useEmbeddedPostgres,
  );
}

/** `hivebase superuser upsert EMAIL PASSWORD`. */
export function superuserUpsert(config: BaseConfig, email: string, password: string): Promise<'created' | 'updated'> {
  return onDatabase(config, (pool) => upsertSuperuser(pool, email, password));
}

/** `hivebase superuser create EMAIL PASSWORD`: fails when the superuser exists. */
export function superuserCreate(config: BaseConfig, email: string, password: string): Promise<void> {
  return onDatabase(config, (pool) => createSuperuser(pool, email, password));
}

/** `hivebase superuser update EMAIL PASSWORD`: fails when the superuser does not exist. */
export function superuserUpdate(config: BaseConfig, email: string, password: string): Promise<void> {
  return onDatabase(config, (pool) => updateSuperuser(pool, email, password));
}

/** `hivebase superuser delete EMAIL`: fails on the last superuser. */
export function superuserDelete(config: BaseConfig, email: string): Promise<'deleted' | 'missing'> {
  return onDatabase(config, (pool) => deleteSuperuser(pool, email));
}
