import { createEmptyTestDatabase } from '@hivebase/platform/testing';
import pg from 'pg';

export interface ScratchDatabase {
  client: pg.Client;
  drop(): Promise<void>;
}

/** An empty throwaway database (the shared test helper's) with a connected client. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const database = await createEmptyTestDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  return {
    client,
    drop: async () => {
      await client.end();
      await database.drop();
    },
  };
}
