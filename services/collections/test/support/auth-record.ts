import { PG_POOL } from '@hivebase/platform';
import { SchemaRegistry, signRecordToken } from '@hivebase/runtime';
import { type AuthCollection, newRecordId, quoteIdent, randomString } from '@hivebase/schema';
import type { INestApplication } from '@nestjs/common';
import type { Pool } from 'pg';

/**
 * An auth record of `collectionName` stored straight into its table, with a valid auth token
 * for it (these tests run without the auth service).
 */
export async function createAuthRecord(
  app: INestApplication,
  collectionName: string,
  email: string,
): Promise<{ id: string; token: string }> {
  const collection = app.get(SchemaRegistry).find(collectionName) as AuthCollection;
  const id = newRecordId();
  const tokenKey = randomString(50);
  await app
    .get<Pool>(PG_POOL)
    .query(
      `INSERT INTO ${quoteIdent(collection.name)} (id, email, password, "tokenKey") VALUES ($1, $2, 'unused', $3)`,
      [id, email, tokenKey],
    );
  return { id, token: signRecordToken(collection, { id, tokenKey }, 'authToken') };
}
