import type { TestDatabase } from '@hivebase/platform/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;

const LAST_SUPERUSER = { data: {}, message: "You can't delete the only existing superuser.", status: 400 };

beforeAll(async () => {
  ({ database, app, pool } = await startCollectionsApp('superusers-last-test'));
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

beforeEach(async () => {
  await pool.query('DELETE FROM "_superusers"');
});

async function remove(id: string, token: string) {
  const response = await app.inject({
    method: 'DELETE',
    url: `/api/collections/_superusers/records/${id}`,
    headers: { authorization: token },
  });
  return { status: response.statusCode, body: response.body ? response.json() : null };
}

const superuserCount = async () => Number((await pool.query('SELECT count(*) FROM "_superusers"')).rows[0].count);

describe('DELETE /api/collections/_superusers/records/{id}', () => {
  it('deletes a superuser while another remains, then refuses the last one as PocketBase does', async () => {
    const root = await createAuthRecord(app, '_superusers', 'root@example.com');
    const other = await createAuthRecord(app, '_superusers', 'other@example.com');
    expect(await remove(other.id, root.token)).toEqual({ status: 204, body: null });
    expect(await remove(root.id, root.token)).toEqual({ status: 400, body: LAST_SUPERUSER });
    expect(await superuserCount()).toBe(1);
  });

  it('lets only one of two concurrent deletes of the last two superusers through', async () => {
    const first = await createAuthRecord(app, '_superusers', 'first@example.com');
    const second = await createAuthRecord(app, '_superusers', 'second@example.com');
    // Each deletes the other: without a lock, both would count two superusers and both succeed.
    const results = await Promise.all([remove(second.id, first.token), remove(first.id, second.token)]);
    expect(results.map((result) => result.status).sort()).toEqual([204, 400]);
    expect(results.find((result) => result.status === 400)?.body).toEqual(LAST_SUPERUSER);
    expect(await superuserCount()).toBe(1);
  });
});
