import { hasUnsafeCharacter } from './backup-names';

/**
 * What a Hivebase backup zip holds (`docs/backups.md`): `manifest.json` (written last, once every
 * row count is known) describes the database as the catalog saw it in the backup's snapshot;
 * `db/<n>.copy` holds table n's rows in Postgres' COPY text format; `storage/<key>` holds each
 * stored file. The restore rebuilds the schema from this description, not from SQL text in the
 * archive, so every name it uses goes through `quoteIdent`.
 */
export const MANIFEST_ENTRY = 'manifest.json';
export const MANIFEST_FORMAT = 'hivebase-backup';
export const MANIFEST_VERSION = 1;
export const STORAGE_PREFIX = 'storage/';
export const TABLE_DATA_PREFIX = 'db/';

export interface ColumnSpec {
  name: string;
  /** `format_type()` of the column: `text`, `bigint`, `character varying(10)`, … */
  type: string;
  notNull: boolean;
  /** The default expression (`pg_get_expr`), null when none. */
  default: string | null;
  /** `a`: GENERATED ALWAYS AS IDENTITY, `d`: BY DEFAULT, `''`: none. */
  identity: '' | 'a' | 'd';
  /** The stored generated expression, null when the column is not generated. */
  generated: string | null;
  /** A collation other than the type's default, null otherwise. */
  collation: string | null;
}

export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  /** The zip entry with its rows; null for a table whose rows are not kept (the outbox). */
  data: string | null;
  rows: number;
}

export interface SequenceSpec {
  name: string;
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  /** The serial column owning it, if any. */
  ownedBy: { table: string; column: string } | null;
  lastValue: string;
  isCalled: boolean;
}

export interface ConstraintSpec {
  table: string;
  name: string;
  /** `p` primary key, `u` unique, `c` check, `x` exclusion, `f` foreign key. */
  type: 'p' | 'u' | 'c' | 'x' | 'f';
  /** `pg_get_constraintdef()`. */
  definition: string;
}

export interface IndexSpec {
  table: string;
  name: string;
  /** `pg_get_indexdef()`: the whole `CREATE [UNIQUE] INDEX` statement. */
  definition: string;
}

export interface IdentitySpec {
  table: string;
  column: string;
  lastValue: string;
  isCalled: boolean;
}

export interface ViewSpec {
  name: string;
  /** `pg_get_viewdef()`: the SELECT. */
  definition: string;
}

export interface FileSpec {
  key: string;
  contentType: string;
  size: number;
}

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  createdAt: string;
  /** `server_version` of the Postgres the backup came from (informational). */
  postgres: string;
  sequences: SequenceSpec[];
  tables: TableSpec[];
  constraints: ConstraintSpec[];
  indexes: IndexSpec[];
  identities: IdentitySpec[];
  /** In dependency order: each after the views it reads. */
  views: ViewSpec[];
  files: FileSpec[];
}

/** Why a manifest is refused (the archive is then a 400, the database untouched). */
export class InvalidBackupError extends Error {}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(what: string): never {
  throw new InvalidBackupError(`invalid manifest: ${what}`);
}

function str(value: unknown, what: string, max = 10_000): string {
  if (typeof value !== 'string' || value.length > max || value.includes('\u0000')) fail(what);
  return value;
}

function name(value: unknown, what: string): string {
  const text = str(value, what, 63 * 4);
  if (text === '') fail(what);
  return text;
}

function numeric(value: unknown, what: string): string {
  const text = str(value, what, 40);
  if (!/^-?\d+$/.test(text)) fail(what);
  return text;
}

function bool(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') fail(what);
  return value;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) fail(what);
  return value;
}

function object(value: unknown, what: string): Json {
  if (!isObject(value)) fail(what);
  return value;
}

/** Checks a parsed `manifest.json` field by field; anything off is an `InvalidBackupError`. */
export function parseManifest(raw: unknown): BackupManifest {
  const m = object(raw, 'not an object');
  if (m.format !== MANIFEST_FORMAT) fail('not a Hivebase backup');
  if (m.version !== MANIFEST_VERSION) fail(`unsupported version ${String(m.version)}`);
  const columns = (value: unknown, table: string): ColumnSpec[] =>
    list(value, `${table}.columns`).map((item, i) => {
      const c = object(item, `${table}.columns[${i}]`);
      const identity = c.identity;
      if (identity !== '' && identity !== 'a' && identity !== 'd') fail(`${table}.columns[${i}].identity`);
      return {
        name: name(c.name, `${table}.columns[${i}].name`),
        type: str(c.type, `${table}.columns[${i}].type`, 200),
        notNull: bool(c.notNull, `${table}.columns[${i}].notNull`),
        default: c.default === null ? null : str(c.default, `${table}.columns[${i}].default`),
        identity,
        generated: c.generated === null ? null : str(c.generated, `${table}.columns[${i}].generated`),
        collation: c.collation === null ? null : name(c.collation, `${table}.columns[${i}].collation`),
      };
    });
  const tables = list(m.tables, 'tables').map((item, i): TableSpec => {
    const t = object(item, `tables[${i}]`);
    const tableName = name(t.name, `tables[${i}].name`);
    const data = t.data === null ? null : str(t.data, `tables[${i}].data`, 100);
    if (data !== null && !new RegExp(`^${TABLE_DATA_PREFIX}\\d+\\.copy$`).test(data)) fail(`tables[${i}].data`);
    const rows = t.rows;
    if (typeof rows !== 'number' || !Number.isSafeInteger(rows) || rows < 0) fail(`tables[${i}].rows`);
    return { name: tableName, columns: columns(t.columns, tableName), data, rows };
  });
  const sequences = list(m.sequences, 'sequences').map((item, i): SequenceSpec => {
    const s = object(item, `sequences[${i}]`);
    let ownedBy: SequenceSpec['ownedBy'] = null;
    if (s.ownedBy !== null) {
      const o = object(s.ownedBy, `sequences[${i}].ownedBy`);
      ownedBy = { table: name(o.table, `sequences[${i}].ownedBy.table`), column: name(o.column, 'ownedBy.column') };
    }
    return {
      name: name(s.name, `sequences[${i}].name`),
      type: str(s.type, `sequences[${i}].type`, 40),
      start: numeric(s.start, `sequences[${i}].start`),
      increment: numeric(s.increment, `sequences[${i}].increment`),
      min: numeric(s.min, `sequences[${i}].min`),
      max: numeric(s.max, `sequences[${i}].max`),
      cache: numeric(s.cache, `sequences[${i}].cache`),
      cycle: bool(s.cycle, `sequences[${i}].cycle`),
      ownedBy,
      lastValue: numeric(s.lastValue, `sequences[${i}].lastValue`),
      isCalled: bool(s.isCalled, `sequences[${i}].isCalled`),
    };
  });
  const constraints = list(m.constraints, 'constraints').map((item, i): ConstraintSpec => {
    const c = object(item, `constraints[${i}]`);
    const type = c.type;
    if (type !== 'p' && type !== 'u' && type !== 'c' && type !== 'x' && type !== 'f') fail(`constraints[${i}].type`);
    return {
      table: name(c.table, `constraints[${i}].table`),
      name: name(c.name, `constraints[${i}].name`),
      type,
      definition: str(c.definition, `constraints[${i}].definition`),
    };
  });
  const indexes = list(m.indexes, 'indexes').map((item, i): IndexSpec => {
    const x = object(item, `indexes[${i}]`);
    const definition = str(x.definition, `indexes[${i}].definition`);
    if (!/^CREATE (UNIQUE )?INDEX /.test(definition)) fail(`indexes[${i}].definition`);
    return { table: name(x.table, `indexes[${i}].table`), name: name(x.name, `indexes[${i}].name`), definition };
  });
  const identities = list(m.identities, 'identities').map((item, i): IdentitySpec => {
    const x = object(item, `identities[${i}]`);
    return {
      table: name(x.table, `identities[${i}].table`),
      column: name(x.column, `identities[${i}].column`),
      lastValue: numeric(x.lastValue, `identities[${i}].lastValue`),
      isCalled: bool(x.isCalled, `identities[${i}].isCalled`),
    };
  });
  const views = list(m.views, 'views').map((item, i): ViewSpec => {
    const v = object(item, `views[${i}]`);
    return {
      name: name(v.name, `views[${i}].name`),
      definition: str(v.definition, `views[${i}].definition`, 1_000_000),
    };
  });
  const files = list(m.files, 'files').map((item, i): FileSpec => {
    const f = object(item, `files[${i}]`);
    const size = f.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) fail(`files[${i}].size`);
    return {
      key: storageKeyOrThrow(str(f.key, `files[${i}].key`, 1024)),
      contentType: str(f.contentType, `files[${i}].contentType`, 255),
      size,
    };
  });
  const tableNames = new Set(tables.map((table) => table.name));
  for (const c of constraints) if (!tableNames.has(c.table)) fail(`constraint ${c.name} on unknown table`);
  for (const x of indexes) if (!tableNames.has(x.table)) fail(`index ${x.name} on unknown table`);
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    createdAt: str(m.createdAt, 'createdAt', 40),
    postgres: str(m.postgres, 'postgres', 200),
    sequences,
    tables,
    constraints,
    indexes,
    identities,
    views,
    files,
  };
}

/**
 * A stored file's key as storage accepts it: `/`-separated parts, none empty, `.`, `..` or
 * starting with a dot, no backslash or control character. Archive entry names pass through here, so a
 * `storage/../x` entry can never name a path outside storage.
 */
export function storageKeyOrThrow(key: string): string {
  const parts = key.split('/');
  const bad = parts.some((part) => part === '' || part.startsWith('.') || hasUnsafeCharacter(part));
  if (key.length === 0 || key.length > 1024 || bad)
    throw new InvalidBackupError(`invalid file key: ${key.slice(0, 80)}`);
  return key;
}
