import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import * as bcrypt from 'bcrypt';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  countSuperusers,
  createSuperuser,
  deleteSuperuser,
  SuperuserInputError,
  updateSuperuser,
  upsertSuperuser,
} from './superusers';

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
  // The first command creates the system collections; later tests start from no superusers.
  await pool.query('DELETE FROM "_superusers"').catch(() => undefined);
});

async function stored(email: string): Promise<{ password: string; tokenKey: string } | undefined> {
  const { rows } = await pool.query('SELECT password, "tokenKey" FROM "_superusers" WHERE email = $1', [email]);
  return rows[0];
}

describe('superuser commands', () => {
  it('create makes a verified superuser on a fresh database, and refuses a second one with that email', async () => {
    await createSuperuser(pool, 'root@example.com', 'first-password');
    const row = await stored('root@example.com');
    expect(await bcrypt.compare('first-password', row?.password ?? '')).toBe(true);
    expect(row?.tokenKey).toHaveLength(50);
    await expect(createSuperuser(pool, 'root@example.com', 'other-password')).rejects.toThrow(
      new SuperuserInputError('superuser root@example.com already exists'),
    );
    expect(await countSuperusers(pool)).toBe(1);
    // Emails compare exactly, as the default email index and PocketBase's FindAuthRecordByEmail do.
    await createSuperuser(pool, 'ROOT@example.com', 'other-password');
    expect(await countSuperusers(pool)).toBe(2);
  });

  it('update sets a new password and a new tokenKey, and refuses an unknown email', async () => {
    await createSuperuser(pool, 'root@example.com', 'first-password');
    const before = await stored('root@example.com');
    await updateSuperuser(pool, 'root@example.com', 'second-password');
    const after = await stored('root@example.com');
    expect(await bcrypt.compare('second-password', after?.password ?? '')).toBe(true);
    expect(after?.tokenKey).not.toBe(before?.tokenKey);
    await expect(updateSuperuser(pool, 'nobody@example.com', 'second-password')).rejects.toThrow(
      new SuperuserInputError('superuser nobody@example.com does not exist'),
    );
  });

  it('upsert creates, then updates', async () => {
    expect(await upsertSuperuser(pool, 'root@example.com', 'first-password')).toBe('created');
    expect(await upsertSuperuser(pool, 'root@example.com', 'second-password')).toBe('updated');
    expect(await countSuperusers(pool)).toBe(1);
  });

  it('delete removes a superuser but never the last one; an unknown email is missing', async () => {
    await createSuperuser(pool, 'a@example.com', 'long-enough');
    await createSuperuser(pool, 'b@example.com', 'long-enough');
    expect(await deleteSuperuser(pool, 'nobody@example.com')).toBe('missing');
    expect(await deleteSuperuser(pool, 'A@example.com')).toBe('missing');
    expect(await deleteSuperuser(pool, 'a@example.com')).toBe('deleted');
    await expect(deleteSuperuser(pool, 'b@example.com')).rejects.toThrow(
      new SuperuserInputError('the last superuser cannot be deleted'),
    );
    expect(await countSuperusers(pool)).toBe(1);
  });

  it('delete leaves a record.changed event in the outbox, as an API delete does', async () => {
    await createSuperuser(pool, 'a@example.com', 'long-enough');
    await createSuperuser(pool, 'b@example.com', 'long-enough');
    await deleteSuperuser(pool, 'a@example.com');
    const { rows } = await pool.query(`SELECT event FROM "_outbox" WHERE event->>'action' = 'delete'`);
    expect(rows.map((row) => row.event.record.email)).toContain('a@example.com');
  });

  it.each([
    [
      'create',
      () => createSuperuser(pool, 'not-an-email', 'long-enough'),
      '"not-an-email" is not a valid email address',
    ],
    ['update', () => updateSuperuser(pool, '', 'long-enough'), '"" is not a valid email address'],
    ['upsert', () => upsertSuperuser(pool, 'ok@example.com', 'short'), 'the password must be at least 8 characters'],
    ['create', () => createSuperuser(pool, 'ok@example.com', 'short'), 'the password must be at least 8 characters'],
    ['delete', () => deleteSuperuser(pool, 'a b@example.com'), '"a b@example.com" is not a valid email address'],
  ])('%s refuses bad input with a SuperuserInputError', async (_command, run, message) => {
    await expect(run()).rejects.toThrow(new SuperuserInputError(message));
  });
});
