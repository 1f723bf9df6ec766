import { ensureSystemCollections, hashPassword, loadSchema, signRecordToken } from '@hivebase/runtime';
import {
  type AuthCollection,
  newRecordId,
  nowDateTime,
  randomString,
  SUPERUSERS_COLLECTION_NAME,
} from '@hivebase/schema';
import type { Pool } from 'pg';

/**
 * PocketBase's installer account: a placeholder superuser whose short-lived token lets the
 * dashboard's `#/pbinstall/{token}` page create the first real one. Nobody knows its password.
 */
export const INSTALLER_EMAIL = '__pbinstaller@example.com';

/** How long the printed installer link works, as PocketBase's (30 minutes). */
export const INSTALLER_TOKEN_SECONDS = 30 * 60;

/** Superusers other than the installer account (the first-run hints show while there are none). */
export async function countRealSuperusers(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ count: string }>(
    'SELECT count(*) AS count FROM "_superusers" WHERE email <> $1',
    [INSTALLER_EMAIL],
  );
  return Number(rows[0]?.count ?? 0);
}

async function superusersCollection(pool: Pool): Promise<AuthCollection> {
  await ensureSystemCollections(pool);
  const collection = (await loadSchema(pool)).collections.find(
    (candidate): candidate is AuthCollection =>
      candidate.name === SUPERUSERS_COLLECTION_NAME && candidate.type === 'auth',
  );
  if (!collection) throw new Error('the _superusers collection is missing');
  return collection;
}

/**
 * A non-refreshable auth token of the installer account (created on first use), valid for
 * {@link INSTALLER_TOKEN_SECONDS}: what the installer link carries.
 */
export async function installerToken(pool: Pool): Promise<string> {
  const collection = await superusersCollection(pool);
  const now = nowDateTime();
  // Random password nobody is told; the unique email index makes concurrent starts share one row.
  await pool.query(
    `INSERT INTO "_superusers" (id, email, password, "tokenKey", "emailVisibility", verified, created, updated)
     VALUES ($1, $2, $3, $4, false, true, $5, $5) ON CONFLICT (email) WHERE email <> '' DO NOTHING`,
    [newRecordId(), INSTALLER_EMAIL, await hashPassword(randomString(30), 10), randomString(50), now],
  );
  const { rows } = await pool.query<{ id: string; tokenKey: string }>(
    'SELECT id, "tokenKey" FROM "_superusers" WHERE email = $1',
    [INSTALLER_EMAIL],
  );
  const record = rows[0];
  if (!record) throw new Error('the installer superuser could not be created');
  return signRecordToken(collection, record, 'authToken', { refreshable: false }, INSTALLER_TOKEN_SECONDS);
}

/**
 * Removes the installer account once a real superuser exists (PocketBase removes it when the
 * first one is created; the dashboard does so too, this catches a first superuser made by the CLI).
 */
export async function removeInstallerSuperuser(pool: Pool): Promise<boolean> {
  const { rowCount } = await pool.query(
    'DELETE FROM "_superusers" WHERE email = $1 AND EXISTS (SELECT 1 FROM "_superusers" WHERE email <> $1)',
    [INSTALLER_EMAIL],
  );
  return Boolean(rowCount);
}
