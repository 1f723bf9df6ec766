import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, runSystemMigrations } from '../src/database/data-source';
import { SYSTEM_MIGRATIONS } from '../src/database/migrations';
import { createEmptyTestDatabase, type TestDatabase } from '../src/testing';

// An empty database (not the migrated template), as a fresh deployment has.
let database: TestDatabase;
let url: string;

describe('system migrations', () => {
  beforeAll(async () => {
    database = await createEmptyTestDatabase();
    url = database.url;
  });
  afterAll(() => database?.drop());

  it('apply once when several replicas boot at the same time', async () => {
    const replicas = await Promise.all([1, 2, 3].map(() => createDataSource({ url, poolSize: 2 }).initialize()));
    try {
      const applied = await Promise.all(replicas.map((dataSource) => runSystemMigrations(dataSource)));
      // Exactly one replica applied the full list; the others found nothing to do.
      expect(applied.flat()).toEqual(SYSTEM_MIGRATIONS.map((migration) => new migration().name));
      const rows = await replicas[0].query('SELECT name FROM "_migrations" ORDER BY id');
      expect(rows.map((row: { name: string }) => row.name)).toEqual(applied.flat());
      const params = await replicas[0].query(`SELECT to_regclass('"_params"') AS t`);
      expect(params[0].t).toBe('_params');
    } finally {
      await Promise.all(replicas.map((dataSource) => dataSource.destroy()));
    }
  });

  it('open connections with JIT off (short OLTP queries only pay its compile time)', async () => {
    const dataSource = await createDataSource({ url, poolSize: 1 }).initialize();
    try {
      expect(await dataSource.query('SHOW jit')).toEqual([{ jit: 'off' }]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('are idempotent', async () => {
    const dataSource = await createDataSource({ url, poolSize: 2 }).initialize();
    try {
      expect(await runSystemMigrations(dataSource)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('give collection tables made before @rowid their insertion-number column', async () => {
    const dataSource = await createDataSource({ url, poolSize: 2 }).initialize();
    try {
      // A table and its metadata as a deployment from before the migration holds them.
      await dataSource.query(`CREATE TABLE "legacy" (id text PRIMARY KEY)`);
      await dataSource.query(`INSERT INTO "legacy" (id) VALUES ('b'), ('a'), ('c')`);
      await dataSource.query(
        `INSERT INTO "_collections" (id, name, type, data, created, updated) VALUES ('c1', 'legacy', 'base', '{}', '', '')`,
      );
      await dataSource.query(`DELETE FROM "_migrations" WHERE name = 'AddCollectionRowid1764000000003'`);
      expect(await runSystemMigrations(dataSource)).toEqual(['AddCollectionRowid1764000000003']);
      const rows = await dataSource.query('SELECT id FROM "legacy" ORDER BY "__hb_rowid"');
      expect(rows.map((row: { id: string }) => row.id)).toEqual(['b', 'a', 'c']);
      await dataSource.query(`INSERT INTO "legacy" (id) VALUES ('d')`);
      const last = await dataSource.query('SELECT id FROM "legacy" ORDER BY "__hb_rowid" DESC LIMIT 1');
      expect(last[0].id).toBe('d');
    } finally {
      await dataSource.destroy();
    }
  });
});
