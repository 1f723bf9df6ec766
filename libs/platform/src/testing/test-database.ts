import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDataSource, runSystemMigrations } from '../database/data-source';
import { SYSTEM_MIGRATIONS } from '../database/migrations';

/** Template name changes whenever the migration list does, so a stale template is never reused. */
export function templateDatabaseName(): string {
  const digest = createHash('sha1')
    .update(SYSTEM_MIGRATIONS.map((migration) => migration.name).join(','))
    .digest('hex');
  return `hb_test_template_${digest.slice(0, 12)}`;
}

/** `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates the migrated template database once per migration set (parallel runs wait their turn). */
export async function ensureTemplateDatabase(adminUrl: string): Promise<string> {
  const template = templateDatabaseName();
  await withClient(adminUrl, async (client) => {
    await client.query("SELECT pg_advisory_lock(hashtext('hb_test_template'))");
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (rowCount) return;
      await client.query(`CREATE DATABASE "${template}"`);
      const dataSource = await createDataSource({ url: withDatabase(adminUrl, template), poolSize: 2 }).initialize();
      try {
        await runSystemMigrations(dataSource);
      } finally {
        await dataSource.destroy();
      }
      await client.query(`ALTER DATABASE "${template}" WITH IS_TEMPLATE true`);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('hb_test_template'))");
    }
  });
  return template;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database of its own for one test file; `drop()` removes it. The one
 * throwaway-database helper of every package's tests (see `createEmptyTestDatabase`).
 */
export async function createTestDatabase(adminUrl = testPostgresUrl()): Promise<TestDatabase> {
  return throwawayDatabase(adminUrl, await ensureTemplateDatabase(adminUrl));
}

/** The same without the system tables: for tests of migrations, DDL and SQL that start from nothing. */
export function createEmptyTestDatabase(adminUrl = testPostgresUrl()): Promise<TestDatabase> {
  return throwawayDatabase(adminUrl, null);
}

async function throwawayDatabase(adminUrl: string, template: string | null): Promise<TestDatabase> {
  const name = `hb_test_${randomBytes(6).toString('hex')}`;
  const from = template ? ` TEMPLATE "${template}"` : '';
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"${from}`));
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: () => withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(),
  };
}

/** The maintenance-database URL the global setup chose (local server or embedded fallback). */
export function testPostgresUrl(): string {
  const url = process.env.HB_TEST_POSTGRES_ADMIN_URL;
  if (!url) throw new Error('HB_TEST_POSTGRES_ADMIN_URL is unset: run tests through vitest (global setup sets it)');
  return url;
}
