import { type BaseConfig } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstSuperuserCommand, firstSuperuserHint } from './serve';
import { standaloneConfig } from './standalone-config';
import { superuserCreate, superuserDelete, superuserUpdate, superuserUpsert } from './superuser';
import { SuperuserInputError } from './superusers';

let database: TestDatabase;
let config: BaseConfig;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  config = standaloneConfig({}, { DATABASE_URL: database.url, LOG_LEVEL: 'silent' });
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

// One story on one database: each command opens and closes its own connection, as the CLI does.
describe('hivebase superuser on DATABASE_URL', () => {
  it('hints at the first superuser on a fresh database, and only then', async () => {
    // A fresh database gets its system collections from the first command, or from `serve`'s boot.
    expect(await superuserDelete(config, 'nobody@example.com')).toBe('missing');
    expect(await firstSuperuserHint(pool, config)).toMatch(
      /^No superuser yet\. Create the first one \(with the same DATABASE_URL\), from another terminal while this one runs:\n\n {2}node \S+cli\.js superuser upsert EMAIL PASSWORD\n$/,
    );
    await superuserCreate(config, 'root@example.com', 'first-password');
    expect(await firstSuperuserHint(pool, config)).toBeNull();
  });

  it('create refuses an existing email; update refuses a missing one', async () => {
    await expect(superuserCreate(config, 'root@example.com', 'other-password')).rejects.toThrow(SuperuserInputError);
    await expect(superuserUpdate(config, 'nobody@example.com', 'other-password')).rejects.toThrow(
      'superuser nobody@example.com does not exist',
    );
    await superuserUpdate(config, 'root@example.com', 'second-password');
  });

  it('delete removes one superuser, never the last', async () => {
    expect(await superuserUpsert(config, 'second@example.com', 'long-enough')).toBe('created');
    expect(await superuserDelete(config, 'root@example.com')).toBe('deleted');
    await expect(superuserDelete(config, 'second@example.com')).rejects.toThrow('the last superuser cannot be deleted');
  });
});

describe('firstSuperuserCommand', () => {
  it.each([
    [{}, 'hivebase superuser upsert EMAIL PASSWORD'],
    [{ dir: '/srv/hb' }, 'hivebase superuser upsert EMAIL PASSWORD --dir /srv/hb'],
    [{ dir: "/my data/it's" }, `hivebase superuser upsert EMAIL PASSWORD --dir '/my data/it'\\''s'`],
  ])('with embedded Postgres and %j names the same directory', (flags, command) => {
    expect(firstSuperuserCommand(standaloneConfig(flags, {}), 'hivebase')).toBe(command);
  });

  it('leaves --dir out with DATABASE_URL', () => {
    const config = standaloneConfig({ dir: '/srv/hb' }, { DATABASE_URL: 'postgres://x@db/hb' });
    expect(firstSuperuserCommand(config, 'hivebase')).toBe('hivebase superuser upsert EMAIL PASSWORD');
  });
});
