import { type BaseConfig, createDataSource, poolOf, runSystemMigrations, upsertSuperuser } from '@hivebase/server';
import { withDatabase } from './serve';

/** `hivebase superuser upsert EMAIL PASSWORD`: migrations first, so it works on a fresh database. */
export function superuserUpsert(config: BaseConfig, email: string, password: string): Promise<'created' | 'updated'> {
  return withDatabase(config, async (resolved, stopDatabase) => {
    const dataSource = await createDataSource({ url: resolved.databaseUrl, poolSize: 2 }).initialize();
    try {
      await runSystemMigrations(dataSource);
      return await upsertSuperuser(poolOf(dataSource), email, password);
    } finally {
      await dataSource.destroy();
      await stopDatabase();
    }
  });
}
