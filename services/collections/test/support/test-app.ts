import { baseConfigSchema, loadConfig, PG_POOL } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import { createServiceApp, requireDatabaseUrl } from '@hivebase/runtime';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { CollectionsModule } from '../../src/collections.module';

export interface CollectionsTestApp {
  database: TestDatabase;
  app: NestFastifyApplication;
  pool: Pool;
}

/**
 * The collections service on a database of its own (migrated, system collections in place), ready
 * for `inject`; `env` adds configuration variables.
 */
export async function startCollectionsApp(name: string, env: NodeJS.ProcessEnv = {}): Promise<CollectionsTestApp> {
  const database = await createTestDatabase();
  const config = requireDatabaseUrl(
    loadConfig(baseConfigSchema, { ...env, DATABASE_URL: database.url, LOG_LEVEL: 'silent' }),
  );
  const app = await createServiceApp(name, CollectionsModule, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { database, app, pool: app.get<Pool>(PG_POOL) };
}
