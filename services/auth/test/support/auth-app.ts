import { type BaseConfig, baseConfigSchema, loadConfig, PG_POOL } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import {
  createServiceApp,
  hashPassword,
  requireDatabaseUrl,
  SchemaRegistry,
  SettingsService,
  signRecordToken,
} from '@hivebase/runtime';
import { type AuthCollection, newRecordId, quoteIdent, randomString } from '@hivebase/schema';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { AuthModule } from '../../src/auth.module';
import { upsertSuperuser } from './superuser';

export interface AuthTestApp {
  database: TestDatabase;
  app: NestFastifyApplication;
  pool: Pool;
  registry: SchemaRegistry;
  settings: SettingsService;
  /** A superuser's auth token (root@example.com / password123). */
  superuserToken: string;
  close(): Promise<void>;
}

/** The auth service on a database of its own (migrated, system collections and one superuser in place). */
export async function startAuthApp(env: Record<string, string> = {}, database?: TestDatabase): Promise<AuthTestApp> {
  const db = database ?? (await createTestDatabase());
  const config: BaseConfig & { databaseUrl: string } = requireDatabaseUrl(
    loadConfig(baseConfigSchema, { DATABASE_URL: db.url, LOG_LEVEL: 'silent', ...env }),
  );
  const app = await createServiceApp('auth-test', AuthModule, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const pool = app.get<Pool>(PG_POOL);
  const registry = app.get(SchemaRegistry);
  await upsertSuperuser(pool, 'root@example.com', 'password123');
  const { rows } = await pool.query<{ id: string; tokenKey: string }>(
    `SELECT id, "tokenKey" FROM "_superusers" WHERE email = 'root@example.com'`,
  );
  const superusers = registry.find('_superusers') as AuthCollection;
  return {
    database: db,
    app,
    pool,
    registry,
    settings: app.get(SettingsService),
    superuserToken: signRecordToken(superusers, rows[0], 'authToken'),
    close: async () => {
      await app.close();
      if (!database) await db.drop();
    },
  };
}

/** An auth record stored straight into its table (password hashed), with an auth token for it. */
export async function createAuthRecord(
  test: Pick<AuthTestApp, 'pool' | 'registry'>,
  collectionName: string,
  values: { email: string; password?: string; verified?: boolean; [field: string]: unknown },
): Promise<{ id: string; token: string; tokenKey: string }> {
  const collection = test.registry.find(collectionName) as AuthCollection;
  const { password = 'password123', ...rest } = values;
  const row: Record<string, unknown> = {
    id: newRecordId(),
    tokenKey: randomString(50),
    password: await hashPassword(password, 4),
    verified: false,
    ...rest,
  };
  const columns = Object.keys(row);
  await test.pool.query(
    `INSERT INTO ${quoteIdent(collection.name)} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
    columns.map((column) => row[column]),
  );
  const id = String(row.id);
  const tokenKey = String(row.tokenKey);
  return { id, tokenKey, token: signRecordToken(collection, { id, tokenKey }, 'authToken') };
}
