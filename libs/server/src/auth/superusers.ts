import {
  type AuthCollection,
  newRecordId,
  nowDateTime,
  randomString,
  SUPERUSERS_COLLECTION_NAME,
} from '@hivebase/schema';
import type { Pool } from 'pg';
import { ensureSystemCollections } from '../schema/bootstrap';
import { loadSchema } from '../schema/schema-store';
import { hashPassword } from './passwords';

export class SuperuserInputError extends Error {}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * `hivebase superuser upsert`: creates the superuser with this email, or sets its password
 * (a new tokenKey signs out its old sessions). Returns whether it was created.
 */
export async function upsertSuperuser(pool: Pool, email: string, password: string): Promise<'created' | 'updated'> {
  if (!EMAIL.test(email)) throw new SuperuserInputError(`"${email}" is not a valid email address`);
  await ensureSystemCollections(pool);
  const superusers = (await loadSchema(pool)).collections.find(
    (collection): collection is AuthCollection =>
      collection.name === SUPERUSERS_COLLECTION_NAME && collection.type === 'auth',
  );
  if (!superusers) throw new Error('the _superusers collection is missing');
  const passwordField = superusers.fields.find((field) => field.name === 'password');
  const min = passwordField?.type === 'password' ? passwordField.min || 8 : 8;
  if (password.length < min) throw new SuperuserInputError(`the password must be at least ${min} characters`);
  const cost = passwordField?.type === 'password' ? passwordField.cost : 0;
  const hash = await hashPassword(password, cost);
  const tokenKey = randomString(50);
  const now = nowDateTime();
  const updated = await pool.query(
    'UPDATE "_superusers" SET password = $2, "tokenKey" = $3, updated = $4 WHERE lower(email) = lower($1)',
    [email, hash, tokenKey, now],
  );
  if (updated.rowCount) return 'updated';
  await pool.query(
    `INSERT INTO "_superusers" (id, email, password, "tokenKey", "emailVisibility", verified, created, updated)
     VALUES ($1, $2, $3, $4, false, true, $5, $5)`,
    [newRecordId(), email, hash, tokenKey, now],
  );
  return 'created';
}
