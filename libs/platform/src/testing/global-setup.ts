import { answers, LOCAL_POSTGRES_URL, startEmbeddedTestPostgres } from './postgres-server';
import { ensureTemplateDatabase } from './test-database';

/**
 * Vitest global setup: picks the Postgres the tests use (the local server, else an embedded one)
 * and makes sure the migrated template database exists. Test files read the choice from the
 * environment, which Vitest hands to its workers.
 */
export default async function setup(): Promise<() => Promise<void>> {
  let stop = async () => {};
  let adminUrl = LOCAL_POSTGRES_URL;
  if (!(await answers(adminUrl))) {
    const embedded = await startEmbeddedTestPostgres();
    adminUrl = embedded.url;
    stop = embedded.stop;
  }
  process.env.HB_TEST_POSTGRES_ADMIN_URL = adminUrl;
  await ensureTemplateDatabase(adminUrl);
  return stop;
}
