import { createReadStream } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import {
  type Collection,
  type Field,
  isViewCollection,
  quoteIdent,
  type StorageKind,
  storageKindOf,
} from '@hivebase/schema';
import {
  InvalidObjectKeyError,
  isSafeFileName,
  recordFileKey,
  SNIFF_BYTES,
  type StorageDriver,
  sniffContentType,
} from '@hivebase/storage';
import type { Pool } from 'pg';
import type { ImportProgress } from './import-progress';
import type { CollectionRecordCounts, ImportReport } from './import-report';
import type { PocketBaseCollection, PocketBaseData, SqliteRow } from './pocketbase-data';
import { columnCast, columnValue } from './record-values.util';

/** PocketBase's installer placeholder superuser: never a real account, never carried. */
const INSTALLER_EMAIL = '__pbinstaller@example.com';

/** System collections whose records carry over, and why the others do not. */
const CARRIED_SYSTEM = new Set(['_superusers', '_externalAuths', '_authOrigins']);
const SKIPPED_SYSTEM: Record<string, string> = {
  _mfas: 'short-lived MFA sessions (minutes); a sign-in in progress starts again',
  _otps: 'short-lived one-time passwords (minutes); users request a new one',
};

/** Rows per INSERT: few enough for Postgres' 65535 parameters, many enough to be quick. */
const MAX_ROWS = 500;
const MAX_PARAMS = 30_000;

export interface RecordsContext {
  data: PocketBaseData;
  pool: Pool;
  storage: StorageDriver;
  report: ImportReport;
  progress: ImportProgress;
  /** PocketBase collection id → Hivebase's, where they differ. */
  idMap: ReadonlyMap<string, string>;
  /** Whether files stay where PocketBase's S3 storage keeps them (same keys), instead of being copied. */
  filesOnS3: boolean;
}

interface Column {
  field: Field;
  kind: StorageKind;
}

/**
 * Copies one collection's records (ids, password hashes and tokenKeys kept) and their files. Pages
 * go in id order; each is one INSERT that skips ids already present, so a re-run after a crash
 * carries on where it stopped and a run over a finished import changes nothing. A page's files are
 * copied before its rows, so a row never lands without its files.
 */
export async function copyRecords(
  context: RecordsContext,
  pb: PocketBaseCollection,
  hb: Collection | undefined,
): Promise<void> {
  const { data, report } = context;
  if (pb.type === 'view') return;
  const subject = `records ${pb.name}`;
  if (pb.system && !CARRIED_SYSTEM.has(pb.name)) {
    const reason = SKIPPED_SYSTEM[pb.name] ?? 'PocketBase-internal records';
    report.problems.push({ severity: 'skipped', subject, reason });
    return;
  }
  if (!hb || isViewCollection(hb)) {
    report.problems.push({ severity: 'error', subject, reason: 'not copied: the collection was not imported' });
    return;
  }
  const pbColumns = new Set(data.columnsOf(pb.name));
  if (!pbColumns.has('id')) {
    report.problems.push({ severity: 'error', subject, reason: 'no table with an id column in data.db' });
    return;
  }
  const extra = [...pbColumns].filter((name) => !hb.fields.some((field) => field.name === name));
  if (extra.length > 0) {
    report.problems.push({
      severity: 'skipped',
      subject,
      reason: `columns without a field in the collection, not carried: ${extra.join(', ')}`,
    });
  }
  const columns: Column[] = hb.fields
    .filter((field) => pbColumns.has(field.name))
    .map((field) => ({ field, kind: storageKindOf(field) }));
  const counts: CollectionRecordCounts = { source: data.count(pb.name), inserted: 0, present: 0, failed: 0 };
  report.records[pb.name] = counts;
  const pageSize = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / columns.length)));

  context.progress.start(`records ${pb.name}`, counts.source);
  let done = 0;
  for (let afterId = ''; ; ) {
    const rows = data.page(
      pb.name,
      columns.map((column) => column.field.name),
      afterId,
      pageSize,
    );
    if (rows.length === 0) break;
    afterId = String(rows[rows.length - 1].id);
    const carried = rows.filter((row) => !(pb.name === '_superusers' && row.email === INSTALLER_EMAIL));
    counts.source -= rows.length - carried.length;
    const values = carried.map((row) => rowValues(row, columns, context.idMap));
    await copyFiles(context, pb, hb, columns, values);
    await insertRows(context, hb, columns, values, counts);
    done += rows.length;
    context.progress.update(done);
  }
  context.progress.finish();
}

function rowValues(row: SqliteRow, columns: readonly Column[], idMap: ReadonlyMap<string, string>): unknown[] {
  return columns.map(({ field, kind }) => {
    const value = columnValue(kind, row[field.name] ?? null);
    // Auth bookkeeping names its collection by id: follow a collection Hivebase keeps under another id.
    return field.name === 'collectionRef' && typeof value === 'string' ? (idMap.get(value) ?? value) : value;
  });
}

/** One multi-row INSERT skipping present ids; if Postgres refuses it, row by row to name the culprits. */
async function insertRows(
  context: RecordsContext,
  hb: Collection,
  columns: readonly Column[],
  rows: readonly unknown[][],
  counts: CollectionRecordCounts,
): Promise<void> {
  if (rows.length === 0) return;
  try {
    const inserted = await insert(context.pool, hb, columns, rows);
    counts.inserted += inserted;
    counts.present += rows.length - inserted;
    return;
  } catch (error) {
    if (typeof (error as { code?: unknown }).code !== 'string') throw error;
  }
  const idAt = columns.findIndex((column) => column.field.name === 'id');
  for (const row of rows) {
    try {
      const inserted = await insert(context.pool, hb, columns, [row]);
      counts.inserted += inserted;
      counts.present += 1 - inserted;
    } catch (error) {
      if (typeof (error as { code?: unknown }).code !== 'string') throw error;
      counts.failed += 1;
      context.report.problems.push({
        severity: 'error',
        subject: `record ${hb.name}/${String(row[idAt])}`,
        reason: (error as Error).message,
      });
    }
  }
}

async function insert(pool: Pool, hb: Collection, columns: readonly Column[], rows: readonly unknown[][]) {
  const params: unknown[] = [];
  const tuples = rows.map(
    (row) =>
      `(${row
        .map((value, index) => {
          params.push(value);
          return `$${params.length}::${columnCast(columns[index].kind)}`;
        })
        .join(', ')})`,
  );
  const names = columns.map((column) => quoteIdent(column.field.name)).join(', ');
  const { rowCount } = await pool.query(
    `INSERT INTO ${quoteIdent(hb.name)} (${names}) VALUES ${tuples.join(', ')} ON CONFLICT ("id") DO NOTHING`,
    params,
  );
  return rowCount ?? 0;
}

/** Each file the rows name, from PocketBase's storage/ to Hivebase's storage, unless already there. */
async function copyFiles(
  context: RecordsContext,
  pb: PocketBaseCollection,
  hb: Collection,
  columns: readonly Column[],
  rows: readonly unknown[][],
): Promise<void> {
  const fileColumns = columns.flatMap((column, index) => (column.field.type === 'file' ? [index] : []));
  if (fileColumns.length === 0) return;
  const idAt = columns.findIndex((column) => column.field.name === 'id');
  for (const row of rows) {
    const recordId = String(row[idAt]);
    for (const index of fileColumns) {
      const value = row[index];
      const names = Array.isArray(value) ? value.map(String) : value ? [String(value)] : [];
      for (const name of names) await copyFile(context, pb, hb, recordId, name);
    }
  }
}

async function copyFile(
  context: RecordsContext,
  pb: PocketBaseCollection,
  hb: Collection,
  recordId: string,
  name: string,
): Promise<void> {
  const { files, problems } = context.report;
  const subject = `file ${pb.name}/${recordId}/${name}`;
  if (context.filesOnS3) return;
  let key: string;
  try {
    // The key check refuses names and ids that could leave the record's directory, here and in PocketBase's.
    if (!isSafeFileName(name)) throw new InvalidObjectKeyError('invalid file name');
    recordFileKey(pb.id, recordId, name);
    key = recordFileKey(hb.id, recordId, name);
  } catch (error) {
    files.failed += 1;
    problems.push({ severity: 'error', subject, reason: `not copied: ${(error as Error).message}` });
    return;
  }
  const source = context.data.filePath(pb.id, recordId, name);
  const info = await lstat(source).catch(() => null);
  if (!info) {
    files.failed += 1;
    problems.push({ severity: 'error', subject, reason: `missing from ${source}` });
    return;
  }
  if (!info.isFile()) {
    // A link could reach anything on this machine; PocketBase itself only ever writes plain files.
    files.failed += 1;
    problems.push({ severity: 'error', subject, reason: `not a regular file: ${source}` });
    return;
  }
  const stored = await context.storage.stat(key);
  if (stored && stored.size === info.size) {
    files.present += 1;
    return;
  }
  const { mime } = await sniffContentType(await head(source));
  await context.storage.put(key, createReadStream(source), { contentType: mime, size: info.size });
  files.copied += 1;
}

async function head(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
