import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';

/** The pb_data directory cannot be read as PocketBase's: a one-line message for the CLI. */
export class PocketBaseImportError extends Error {}

/**
 * better-sqlite3 is an optional dependency: a native addon compiled at install, which needs a C++
 * compiler and Node's headers (the container images have neither). Only the import loads it, so
 * everything else runs without it.
 */
async function loadSqlite(): Promise<typeof Database> {
  try {
    return (await import('better-sqlite3')).default;
  } catch (error) {
    throw new PocketBaseImportError(
      `the import reads SQLite with the better-sqlite3 package, which is not installed here (${(error as Error).message}): run it from a checkout after \`npm ci\` on a machine with a C++ compiler`,
    );
  }
}

/** One row of PocketBase's `_collections`, its JSON columns parsed. */
export interface PocketBaseCollection {
  id: string;
  name: string;
  type: string;
  system: boolean;
  fields: unknown[];
  indexes: unknown[];
  listRule: string | null;
  viewRule: string | null;
  createRule: string | null;
  updateRule: string | null;
  deleteRule: string | null;
  /** Type-specific options (auth settings, a view's `viewQuery`), as PocketBase keeps them. */
  options: Record<string, unknown>;
}

/** A collection row whose JSON columns do not parse: reported, never imported. */
export interface UnreadableCollection {
  name: string;
  reason: string;
}

/** PocketBase's settings row: the document, or why it cannot be read. */
export type PocketBaseSettings =
  | { kind: 'json'; value: Record<string, unknown> }
  | { kind: 'missing' }
  | { kind: 'unreadable'; reason: string };

export type SqliteValue = string | number | bigint | Buffer | null;
export type SqliteRow = Record<string, SqliteValue>;

/** SQLite identifier quoting: double quotes, inner ones doubled. */
const sqliteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

function parseJson(text: unknown, what: string): unknown {
  if (typeof text !== 'string') throw new Error(`${what} is not JSON text`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
}

const ruleOf = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * A PocketBase (v0.23 and later) `pb_data` directory, read only: `data.db` through SQLite and the
 * files under `storage/`. Every way the directory can be wrong is a `PocketBaseImportError`
 * raised by `open`, before anything is written anywhere.
 */
export class PocketBaseData {
  private constructor(
    readonly dir: string,
    private readonly db: Database.Database,
  ) {}

  static async open(dir: string): Promise<PocketBaseData> {
    const root = resolve(dir);
    const info = statOrNull(root);
    if (!info) throw new PocketBaseImportError(`${root}: no such directory (pass PocketBase's pb_data directory)`);
    if (!info.isDirectory()) {
      throw new PocketBaseImportError(`${root} is not a directory (pass PocketBase's pb_data directory)`);
    }
    const file = join(root, 'data.db');
    if (!statOrNull(file)?.isFile()) {
      throw new PocketBaseImportError(`${file} not found: is ${root} a PocketBase pb_data directory?`);
    }
    const Sqlite = await loadSqlite();
    let db: Database.Database;
    try {
      db = new Sqlite(file, { readonly: true, fileMustExist: true });
    } catch (error) {
      throw new PocketBaseImportError(`${file} cannot be opened: ${(error as Error).message}`);
    }
    const data = new PocketBaseData(root, db);
    try {
      data.checkLayout(file);
    } catch (error) {
      db.close();
      throw error;
    }
    return data;
  }

  /** The first read tells a corrupt file or another application's database apart. */
  private checkLayout(file: string): void {
    let columns: string[];
    try {
      columns = this.columnsOf('_collections');
    } catch (error) {
      throw new PocketBaseImportError(`${file} is not a readable SQLite database: ${(error as Error).message}`);
    }
    if (columns.length === 0) {
      throw new PocketBaseImportError(`${file} has no _collections table: not a PocketBase data directory`);
    }
    if (!columns.includes('fields')) {
      // Before v0.23 the fields were a `schema` column, with other system tables besides.
      throw new PocketBaseImportError(
        `${file} is from PocketBase before v0.23 (no _collections.fields): start it once with PocketBase v0.23 or later to upgrade it, then import`,
      );
    }
  }

  close(): void {
    this.db.close();
  }

  /** Column names of `table`, in order (empty when there is no such table). */
  columnsOf(table: string): string[] {
    return (this.db.prepare(`PRAGMA table_info(${sqliteIdent(table)})`).all() as { name: string }[]).map(
      (column) => column.name,
    );
  }

  /** Every collection in creation order; rows whose JSON does not parse come back separately. */
  collections(): { collections: PocketBaseCollection[]; unreadable: UnreadableCollection[] } {
    const rows = this.db.prepare('SELECT * FROM "_collections" ORDER BY "created", rowid').all() as SqliteRow[];
    const collections: PocketBaseCollection[] = [];
    const unreadable: UnreadableCollection[] = [];
    for (const row of rows) {
      const name = String(row.name ?? row.id ?? '?');
      try {
        const fields = parseJson(row.fields, 'fields');
        const indexes = parseJson(row.indexes ?? '[]', 'indexes');
        const options = parseJson(row.options ?? '{}', 'options');
        if (!Array.isArray(fields)) throw new Error('fields is not a JSON array');
        if (!Array.isArray(indexes)) throw new Error('indexes is not a JSON array');
        if (typeof options !== 'object' || options === null || Array.isArray(options)) {
          throw new Error('options is not a JSON object');
        }
        collections.push({
          id: String(row.id),
          name,
          type: String(row.type ?? 'base'),
          system: row.system === 1 || row.system === '1' || row.system === 'true',
          fields,
          indexes,
          listRule: ruleOf(row.listRule),
          viewRule: ruleOf(row.viewRule),
          createRule: ruleOf(row.createRule),
          updateRule: ruleOf(row.updateRule),
          deleteRule: ruleOf(row.deleteRule),
          options: options as Record<string, unknown>,
        });
      } catch (error) {
        unreadable.push({ name, reason: (error as Error).message });
      }
    }
    return { collections, unreadable };
  }

  /** The settings document (`_params` row `settings`); encrypted settings (PB_ENCRYPTION) are unreadable here. */
  settings(): PocketBaseSettings {
    if (!this.columnsOf('_params').includes('value')) return { kind: 'missing' };
    const row = this.db.prepare(`SELECT "value" FROM "_params" WHERE "id" = 'settings'`).get() as
      | { value: SqliteValue }
      | undefined;
    if (!row || row.value === null) return { kind: 'missing' };
    try {
      const value = parseJson(String(row.value), 'settings');
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
      return { kind: 'json', value: value as Record<string, unknown> };
    } catch {
      return {
        kind: 'unreadable',
        reason: 'the settings are not plain JSON (encrypted with PB_ENCRYPTION?); set them again in the dashboard',
      };
    }
  }

  count(table: string): number {
    const row = this.db.prepare(`SELECT count(*) AS n FROM ${sqliteIdent(table)}`).get() as { n: number };
    return row.n;
  }

  /** Up to `limit` rows of `table` with ids after `afterId`, in id order (keyset pages). */
  page(table: string, columns: readonly string[], afterId: string, limit: number): SqliteRow[] {
    const list = columns.map(sqliteIdent).join(', ');
    return this.db
      .prepare(`SELECT ${list} FROM ${sqliteIdent(table)} WHERE "id" > ? ORDER BY "id" LIMIT ?`)
      .all(afterId, limit) as SqliteRow[];
  }

  /** Where PocketBase's local storage keeps a record's file. */
  filePath(collectionId: string, recordId: string, name: string): string {
    return join(this.dir, 'storage', collectionId, recordId, name);
  }
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
