import { SUPERUSERS_COLLECTION_NAME, systemCollections } from '@hivebase/schema';
import type { Pool } from 'pg';
import { applySchemaChanges } from './schema-store';

/**
 * Gives a fresh database what a fresh PocketBase has (system collections and `users`). Runs at
 * every boot; once `_superusers` exists it does nothing, so a deleted `users` stays deleted.
 */
export async function ensureSystemCollections(pool: Pool): Promise<boolean> {
  const [created] = await applySchemaChanges(pool, (current) =>
    current.some((collection) => collection.name === SUPERUSERS_COLLECTION_NAME)
      ? []
      : systemCollections().map((after) => ({ before: null, after })),
  );
  return created !== undefined;
}
