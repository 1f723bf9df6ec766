import { type BaseConfig, createDataSource, runSystemMigrations } from '@hivebase/platform';
import { useEmbeddedPostgres } from './embedded-postgres';
import { withDatabase } from './serve';

/** `hivebase migrate`: applies pending system migrations and returns their names. */
export function migrate(config: BaseConfig): Promise<string[]> {
  return withDatabase(
    config,
    async (resolved, stopDatabase) => {
      const dataSource = await createDataSource({ url: resolved.databaseUrl, poolSize: 2 }).initialize();
      try {
        return await runSystemMigrations(dataSource);
      } finally {
        await dataSource.destroy();
        await stopDatabase();
      }
    },
    useEmbeddedPostgres,
  );
}
