import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ScratchDatabase {
  client: pg.Client;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.HB_TEST_POSTGRES_ADMIN_URL;
  if (!url) throw new Error('HB_TEST_POSTGRES_ADMIN_URL is unset: run tests through vitest (global setup sets it)');
  return url;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** An empty database of its own for one test file (`hb_test_<prefix>_<random>`), with a connected client. */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `hb_test_${prefix}_${randomBytes(5).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    client,
    drop: async () => {
      await client.end();
      await admin((adminClient) => adminClient.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
