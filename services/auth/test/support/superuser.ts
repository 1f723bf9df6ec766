import { hashPassword } from '@hivebase/runtime';
import { newRecordId, nowDateTime, randomString } from '@hivebase/schema';
import type { Pool } from 'pg';

/**
 * Creates the superuser, or sets its password and a new tokenKey (signing out its sessions), as
 * `hivebase superuser upsert` does. The CLI lives in the standalone package, which a service's
 * tests may not import.
 */
export async function upsertSuperuser(pool: Pool, email: string, password: string): Promise<void> {
  await pool.query(
    `INSERT INTO "_superusers" (id, email, password, "tokenKey", "emailVisibility", verified, created, updated)
     VALUES ($1, $2, $3, $4, false, true, $5, $5)
     ON CONFLICT (email) WHERE email <> ''
     DO UPDATE SET password = EXCLUDED.password, "tokenKey" = EXCLUDED."tokenKey", updated = EXCLUDED.updated`,
    [newRecordId(), email, await hashPassword(password), randomString(50), nowDateTime()],
  );
}
