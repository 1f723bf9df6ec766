import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { quoteIdent } from '@hivebase/contracts';
import { SCHEMA_LOCK_KEY } from '@hivebase/runtime';
import type { StorageDriver } from '@hivebase/storage';
import type { Pool, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { ZipFile } from 'yazl';
import {
  type BackupManifest,
  type FileSpec,
  MANIFEST_ENTRY,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  STORAGE_PREFIX,
  TABLE_DATA_PREFIX,
  type TableSpec,
} from './backup-manifest';
import { readCatalog } from './database-catalog';

/** Tables whose rows a backup leaves out: the outbox's events were published already (or belong to the old data). */
const ROWS_NOT_KEPT = new Set(['_outbox']);

export interface WriteBackupOptions {
  pool: Pool;
  /** Where the record files live (every object in it goes into the backup). */
  files: StorageDriver;
  /** Where the backup zip goes, under `key`. */
  target: StorageDriver;
  key: string;
}

/**
 * Writes one backup zip to `target`: every table of the database from ONE repeatable-read
 * snapshot (schema from the catalog, rows through `COPY … TO STDOUT`), then every stored file,
 * then the manifest. The zip streams to a temporary file (as PocketBase's does; nothing is held
 * in memory), which then goes up whole with its size known (one PUT on S3). Schema changes wait
 * while the database part is read (the schema lock is held shared).
 */
export async function writeBackup({ pool, files, target, key }: WriteBackupOptions): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hb-backup-'));
  try {
    const zipPath = join(dir, 'backup.zip');
    await dumpToFile(pool, files, zipPath);
    const { size } = await stat(zipPath);
    await target.put(key, createReadStream(zipPath), { contentType: 'application/zip', size });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function dumpToFile(pool: Pool, files: StorageDriver, zipPath: string): Promise<void> {
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    // Session lock before the snapshot: a schema change either committed before it or waits.
    await client.query('SELECT pg_advisory_lock_shared($1)', [SCHEMA_LOCK_KEY]);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await streamArchive(client, files, zipPath);
    await client.query('COMMIT');
    await client.query('SELECT pg_advisory_unlock_shared($1)', [SCHEMA_LOCK_KEY]);
  } catch (error) {
    failed = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // A failed connection (mid-COPY perhaps) is closed, not reused: that ends its transaction and lock too.
    // Its late errors (a COPY cut off by the close) have nowhere to go but here.
    if (failed) client.on('error', () => {});
    client.release(failed);
  }
}

async function streamArchive(client: PoolClient, files: StorageDriver, zipPath: string): Promise<void> {
  const catalog = await readCatalog(client);
  if (catalog.tables.length > 0) {
    // As pg_dump: nobody may drop or rewrite a table the snapshot is about to read.
    await client.query(`LOCK TABLE ${catalog.tables.map((t) => quoteIdent(t.name)).join(', ')} IN ACCESS SHARE MODE`);
  }
  const fileKeys = await files.list('');

  const zip = new ZipFile();
  const output = zip.outputStream as PassThrough;
  const fail = (error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error)));
  zip.on('error', fail);
  const mtime = new Date();

  const tables: TableSpec[] = catalog.tables.map((table, index) => ({
    ...table,
    // A table with no column COPY can write (none, or only generated ones) has no rows entry.
    data:
      ROWS_NOT_KEPT.has(table.name) || table.columns.every((column) => column.generated !== null)
        ? null
        : `${TABLE_DATA_PREFIX}${index}.copy`,
    rows: 0,
  }));
  for (const table of tables) {
    const entry = table.data;
    if (!entry) continue;
    const columns = table.columns.filter((column) => column.generated === null).map((c) => quoteIdent(c.name));
    zip.addReadStreamLazy(entry, { mtime }, (done) => {
      const copy = client.query(copyTo(`COPY ${quoteIdent(table.name)} (${columns.join(', ')}) TO STDOUT`));
      copy.on('error', fail);
      // COPY's text format ends each row with a newline and escapes those inside values.
      copy.on('data', (chunk: Buffer) => {
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) table.rows++;
      });
      done(null, copy);
    });
  }

  const stored: FileSpec[] = [];
  for (const fileKey of fileKeys) {
    zip.addReadStreamLazy(`${STORAGE_PREFIX}${fileKey}`, { mtime }, (done) => {
      files.get(fileKey).then(
        (found) => {
          // Removed since it was listed (its record was deleted): an empty entry the manifest does not list.
          if (!found) return done(null, Readable.from([]));
          found.body.on('error', fail);
          stored.push({ key: fileKey, contentType: found.object.contentType, size: found.object.size });
          done(null, found.body);
        },
        (error: unknown) => fail(error),
      );
    });
  }

  zip.addReadStreamLazy(MANIFEST_ENTRY, { mtime }, (done) => {
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      createdAt: mtime.toISOString(),
      postgres: catalog.postgres,
      sequences: catalog.sequences,
      tables,
      constraints: catalog.constraints,
      indexes: catalog.indexes,
      identities: catalog.identities,
      views: catalog.views,
      files: stored,
    };
    done(null, Readable.from([Buffer.from(JSON.stringify(manifest))]));
  });
  zip.end();
  await pipeline(output, createWriteStream(zipPath));
}
