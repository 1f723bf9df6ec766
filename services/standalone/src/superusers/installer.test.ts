import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import { loadSchema, peekClaims } from '@hivebase/runtime';
import { SUPERUSERS_COLLECTION_NAME } from '@hivebase/schema';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  countRealSuperusers,
  INSTALLER_EMAIL,
  INSTALLER_TOKEN_SECONDS,
  installerToken,
  removeInstallerSuperuser,
} from './installer';
import { upsertSuperuser } from './superusers';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

beforeEach(async () => {
  await pool.query('DELETE FROM "_superusers"').catch(() => undefined);
});

const emails = async () =>
  (await pool.query<{ email: string }>('SELECT email FROM "_superusers" ORDER BY email')).rows.map((row) => row.email);

describe('the first-run installer', () => {
  it('signs a 30-minute, non-refreshable superuser token for one installer account, however often asked', async () => {
    const first = await installerToken(pool);
    const second = await installerToken(pool);
    expect(await emails()).toEqual([INSTALLER_EMAIL]);
    const superusers = (await loadSchema(pool)).collections.find((c) => c.name === SUPERUSERS_COLLECTION_NAME);
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM "_superusers"');
    for (const token of [first, second]) {
      const claims = peekClaims(token);
      expect(claims).toMatchObject({ type: 'auth', id: rows[0]?.id, collectionId: superusers?.id, refreshable: false });
      const left = (claims?.exp ?? 0) - Date.now() / 1000;
      expect(left).toBeGreaterThan(INSTALLER_TOKEN_SECONDS - 60);
      expect(left).toBeLessThanOrEqual(INSTALLER_TOKEN_SECONDS);
    }
  });

  it('does not count the installer account as a superuser', async () => {
    await installerToken(pool);
    expect(await countRealSuperusers(pool)).toBe(0);
    await upsertSuperuser(pool, 'root@example.com', 'a-long-password');
    expect(await countRealSuperusers(pool)).toBe(1);
  });

  it('removes the installer account only once a real superuser exists', async () => {
    await installerToken(pool);
    expect(await removeInstallerSuperuser(pool)).toBe(false);
    expect(await emails()).toEqual([INSTALLER_EMAIL]);
    await upsertSuperuser(pool, 'root@example.com', 'a-long-password');
    expect(await removeInstallerSuperuser(pool)).toBe(true);
    expect(await emails()).toEqual(['root@example.com']);
  });
});
