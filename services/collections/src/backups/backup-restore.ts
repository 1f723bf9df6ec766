import { pipeline } from 'node:stream/promises';
import { quoteIdent } from '@hivebase/contracts';
import { SCHEMA_LOCK_KEY, SCHEMA_VERSION_PARAM_ID, SETTINGS_PARAM_ID } from '@hivebase/runtime';
import type { StorageDriver } from '@hivebase/storage';
import type { Pool, PoolClient, QueryConfig } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type BackupArchive, openBackupArchive } from './backup-archive';
import { type ColumnSpec, InvalidBackupError, STORAGE_PREFIX, type TableSpec } from './backup-manifest';

export interface RestoreBackupOptions {
  pool: Pool;
  /** Where record files live: the backup's files are written here. */
  files: StorageDriver;
  /** A local copy of the backup zip. */
  archivePath: string;
  /** Told each step as it starts (`files`, `drop`, `copy <table>`, `commit`, …): logs and tests. */
  onStep?: (step: string) => void;
}

// Sequence types Postgres allows (the manifest's text goes into CREATE SEQUENCE … AS).
const SEQUENCE_TYPES = new Set(['smallint', 'integer', 'bigint']);

/**
 * Replaces the whole database (and the stored files) with a backup's. The zip is checked in full
 * first (`openBackupArchive`): a bad one changes nothing. Then the backup's files are written to
 * storage, and ONE transaction, under the schema lock, drops every table, view and sequence of
 * the schema, recreates them from the manifest, COPYs the rows in, adds constraints and indexes
 * and sets the sequences: a failure, or a process killed midway, rolls all of it back and the
 * old data stays whole. Files the old data had and the backup has not are removed after commit.
 */
export async function restoreBackup({ pool, files, archivePath, onStep = () => {} }: RestoreBackupOptions) {
  onStep('validate');
  const archive = await openBackupArchive(archivePath);
  try {
    const before = await files.list('');
    onStep('files');
    for (const file of archive.manifest.files) {
      const entry = STORAGE_PREFIX + file.key;
      await files.put(file.key, await archive.open(entry), {
        contentType: file.contentType,
        size: archive.sizeOf(entry),
      });
    }
    await replaceDatabase(pool, archive, onStep);
    onStep('cleanup');
    const kept = new Set(archive.manifest.files.map((file) => file.key));
    for (const key of before) if (!kept.has(key)) await files.delete(key);
    onStep('done');
  } finally {
    archive.close();
  }
}

async function replaceDatabase(pool: Pool, archive: BackupArchive, onStep: (step: string) => void): Promise<void> {
  const { manifest } = archive;
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
    const oldVersion = await schemaVersionOf(client);
    onStep('drop');
    await dropEverything(client);

    onStep('create');
    for (const sequence of manifest.sequences) {
      if (!SEQUENCE_TYPES.has(sequence.type)) throw new InvalidBackupError(`sequence type ${sequence.type}`);
      await ddl(
        client,
        `CREATE SEQUENCE ${quoteIdent(sequence.name)} AS ${sequence.type} INCREMENT BY ${sequence.increment}
         MINVALUE ${sequence.min} MAXVALUE ${sequence.max} START WITH ${sequence.start} CACHE ${sequence.cache}
         ${sequence.cycle ? 'CYCLE' : 'NO CYCLE'}`,
      );
    }
    for (const table of manifest.tables) {
      await ddl(client, `CREATE TABLE ${quoteIdent(table.name)} (${table.columns.map(columnSql).join(', ')})`);
    }
    for (const { name, ownedBy } of manifest.sequences) {
      if (ownedBy) {
        await ddl(
          client,
          `ALTER SEQUENCE ${quoteIdent(name)} OWNED BY ${quoteIdent(ownedBy.table)}.${quoteIdent(ownedBy.column)}`,
        );
      }
    }

    for (const table of manifest.tables) {
      if (!table.data) continue;
      onStep(`copy ${table.name}`);
      await copyRows(client, archive, table, table.data);
    }

    onStep('constraints');
    const foreign = manifest.constraints.filter((constraint) => constraint.type === 'f');
    for (const constraint of manifest.constraints.filter((c) => c.type !== 'f')) {
      await ddl(
        client,
        `ALTER TABLE ${quoteIdent(constraint.table)} ADD CONSTRAINT ${quoteIdent(constraint.name)} ${constraint.definition}`,
      );
    }
    for (const index of manifest.indexes) await ddl(client, index.definition);
    for (const constraint of foreign) {
      await ddl(
        client,
        `ALTER TABLE ${quoteIdent(constraint.table)} ADD CONSTRAINT ${quoteIdent(constraint.name)} ${constraint.definition}`,
      );
    }
    for (const view of manifest.views) {
      await ddl(client, `CREATE VIEW ${quoteIdent(view.name)} AS ${view.definition}`);
    }

    for (const sequence of manifest.sequences) {
      await client.query('SELECT setval($1::regclass, $2::bigint, $3)', [
        quoteIdent(sequence.name),
        sequence.lastValue,
        sequence.isCalled,
      ]);
    }
    for (const identity of manifest.identities) {
      await client.query('SELECT setval(pg_get_serial_sequence($1, $2), $3::bigint, $4)', [
        quoteIdent(identity.table),
        identity.column,
        identity.lastValue,
        identity.isCalled,
      ]);
    }
    await markChanged(client, oldVersion);
    onStep('commit');
    await client.query('COMMIT');
  } catch (error) {
    failed = error instanceof Error ? error : new Error(String(error));
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A connection that failed mid-COPY is not reused.
    // Its late errors (a COPY cut off by the close) have nowhere to go but here.
    if (failed) client.on('error', () => {});
    client.release(failed);
  }
}

/**
 * Runs one statement built from manifest text through the extended protocol, which takes exactly
 * one statement: a definition smuggling `; …` after it fails instead of running.
 */
async function ddl(client: PoolClient, text: string): Promise<void> {
  const config: QueryConfig & { queryMode: 'extended' } = { text, queryMode: 'extended' };
  await client.query(config);
}

function columnSql(column: ColumnSpec): string {
  let sql = `${quoteIdent(column.name)} ${column.type}`;
  if (column.collation) sql += ` COLLATE ${quoteIdent(column.collation)}`;
  if (column.generated !== null) sql += ` GENERATED ALWAYS AS (${column.generated}) STORED`;
  if (column.identity === 'a') sql += ' GENERATED ALWAYS AS IDENTITY';
  if (column.identity === 'd') sql += ' GENERATED BY DEFAULT AS IDENTITY';
  if (column.default !== null && column.identity === '' && column.generated === null)
    sql += ` DEFAULT ${column.default}`;
  if (column.notNull) sql += ' NOT NULL';
  return sql;
}

async function copyRows(client: PoolClient, archive: BackupArchive, table: TableSpec, entry: string): Promise<void> {
  const columns = table.columns.filter((column) => column.generated === null).map((column) => quoteIdent(column.name));
  const copy = client.query(copyFrom(`COPY ${quoteIdent(table.name)} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(await archive.open(entry), copy);
  if (copy.rowCount !== table.rows) {
    throw new InvalidBackupError(`${table.name}: ${copy.rowCount} rows where the manifest says ${table.rows}`);
  }
}

/** Drops every view, table and sequence of the current schema (not an extension's). */
async function dropEverything(client: PoolClient): Promise<void> {
  const { rows } = await client.query<{ name: string; kind: string }>(
    `SELECT c.relname AS name, c.relkind::text AS kind FROM pg_class c
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'v', 'm', 'S', 'p')
       AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.classid = 'pg_class'::regclass AND e.deptype = 'e')`,
  );
  const names = (kinds: string[]) => rows.filter((row) => kinds.includes(row.kind)).map((row) => quoteIdent(row.name));
  const tables = names(['r', 'p']);
  // All at once: the locks are taken in one statement, and no other transaction sees a half-dropped schema.
  if (tables.length > 0) await client.query(`LOCK TABLE ${tables.join(', ')} IN ACCESS EXCLUSIVE MODE`);
  const views = names(['v']);
  if (views.length > 0) await client.query(`DROP VIEW IF EXISTS ${views.join(', ')} CASCADE`);
  const materialized = names(['m']);
  if (materialized.length > 0)
    await client.query(`DROP MATERIALIZED VIEW IF EXISTS ${materialized.join(', ')} CASCADE`);
  if (tables.length > 0) await client.query(`DROP TABLE IF EXISTS ${tables.join(', ')} CASCADE`);
  const sequences = names(['S']);
  if (sequences.length > 0) await client.query(`DROP SEQUENCE IF EXISTS ${sequences.join(', ')} CASCADE`);
}

async function schemaVersionOf(client: PoolClient): Promise<string | null> {
  const { rows } = await client.query<{ present: boolean }>(
    `SELECT to_regclass('"_schema_version"') IS NOT NULL AS present`,
  );
  if (!rows[0]?.present) return null;
  return (await client.query<{ value: string }>('SELECT last_value::text AS value FROM "_schema_version"')).rows[0]
    .value;
}

/**
 * Makes every replica see new schema and settings versions: the restored `_schema_version` may be
 * one a replica already holds (with other collections), so it moves past both the old and the
 * restored value; the settings' `updated` moves to now.
 */
async function markChanged(client: PoolClient, oldVersion: string | null): Promise<void> {
  const { rows } = await client.query<{ present: boolean }>(
    `SELECT to_regclass('"_schema_version"') IS NOT NULL AND to_regclass('"_params"') IS NOT NULL AS present`,
  );
  if (!rows[0]?.present) return;
  if (oldVersion !== null) {
    await client.query(
      `SELECT setval('"_schema_version"', greatest((SELECT last_value FROM "_schema_version"), $1::bigint))`,
      [oldVersion],
    );
  }
  await client.query(
    `INSERT INTO "_params" (id, value) VALUES ($1, to_jsonb(nextval('"_schema_version"')))
     ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value, updated = clock_timestamp()`,
    [SCHEMA_VERSION_PARAM_ID],
  );
  await client.query(`UPDATE "_params" SET updated = clock_timestamp() WHERE id = $1`, [SETTINGS_PARAM_ID]);
}
