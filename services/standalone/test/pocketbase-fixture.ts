import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32Checksum } from '@hivebase/schema';
import Database from 'better-sqlite3';

/**
 * Builds a `pb_data` directory as PocketBase v0.39 leaves it: `data.db` with `_params` and
 * `_collections` (fields, indexes and options as PocketBase's JSON), one table per collection with
 * PocketBase's SQLite column types (multi-values as JSON arrays, dates as text, bools as 0/1), one
 * SQLite view per view collection, and files under `storage/<collectionId>/<recordId>/`.
 */

type Json = Record<string, unknown>;

/** Each type's options as PocketBase serialises them (every key present). */
const OPTION_DEFAULTS: Record<string, Json> = {
  text: { autogeneratePattern: '', max: 0, min: 0, pattern: '', primaryKey: false, required: false },
  number: { max: null, min: null, onlyInt: false, required: false },
  bool: { required: false },
  email: { exceptDomains: null, onlyDomains: null, required: false },
  url: { exceptDomains: null, onlyDomains: null, required: false },
  editor: { convertURLs: false, maxSize: 0, required: false },
  date: { max: '', min: '', required: false },
  autodate: { onCreate: true, onUpdate: false },
  select: { maxSelect: 1, required: false, values: [] },
  file: { maxSelect: 1, maxSize: 0, mimeTypes: [], protected: false, required: false, thumbs: [] },
  relation: { cascadeDelete: false, collectionId: '', maxSelect: 1, minSelect: 0, required: false },
  json: { maxSize: 0, required: false },
  password: { cost: 0, max: 0, min: 8, pattern: '', required: false },
  geoPoint: { required: false },
};

/** PocketBase's SQLite column type for a field (core/field_*.go ColumnType). */
function columnType(field: Json): string {
  const multiple = Number(field.maxSelect ?? 1) > 1;
  switch (field.type) {
    case 'text':
      return field.primaryKey
        ? "TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL"
        : "TEXT DEFAULT '' NOT NULL";
    case 'number':
      return 'NUMERIC DEFAULT 0 NOT NULL';
    case 'bool':
      return 'BOOLEAN DEFAULT FALSE NOT NULL';
    case 'json':
      return 'JSON DEFAULT NULL';
    case 'geoPoint':
      return `JSON DEFAULT '{"lon":0,"lat":0}' NOT NULL`;
    case 'select':
    case 'file':
    case 'relation':
      return multiple ? "JSON DEFAULT '[]' NOT NULL" : "TEXT DEFAULT '' NOT NULL";
    default:
      return "TEXT DEFAULT '' NOT NULL";
  }
}

/** A field as PocketBase's `_collections.fields` holds it. */
export function pbField(type: string, name: string, options: Json = {}): Json {
  return {
    hidden: false,
    id: `${type}${crc32Checksum(name)}`,
    name,
    presentable: false,
    system: false,
    type,
    ...OPTION_DEFAULTS[type],
    ...options,
  };
}

export const pbIdField = () =>
  pbField('text', 'id', {
    autogeneratePattern: '[a-z0-9]{15}',
    max: 15,
    min: 15,
    pattern: '^[a-z0-9]+$',
    primaryKey: true,
    required: true,
    system: true,
  });

export const pbTimestamps = (system = false) => [
  pbField('autodate', 'created', { onCreate: true, onUpdate: false, system }),
  pbField('autodate', 'updated', { onCreate: true, onUpdate: true, system }),
];

/** An auth collection's system fields after `id`, as PocketBase declares them. */
export const pbAuthFields = () => [
  pbField('password', 'password', { hidden: true, required: true, system: true, min: 8 }),
  pbField('text', 'tokenKey', {
    autogeneratePattern: '[a-zA-Z0-9]{50}',
    hidden: true,
    max: 60,
    min: 30,
    required: true,
    system: true,
  }),
  pbField('email', 'email', { required: true, system: true }),
  pbField('bool', 'emailVisibility', { system: true }),
  pbField('bool', 'verified', { system: true }),
];

const secret = (seed: string) => seed.repeat(50).slice(0, 50);

/** PocketBase's auth options (the `options` column of an auth collection). */
export function pbAuthOptions(seed: string, overrides: Json = {}): Json {
  const template = { subject: 'Subject', body: '<p>Body {APP_NAME}</p>' };
  return {
    authRule: '',
    manageRule: null,
    authAlert: { enabled: true, emailTemplate: template },
    oauth2: {
      enabled: false,
      mappedFields: { id: '', name: '', username: '', avatarURL: '' },
      providers: [],
    },
    passwordAuth: { enabled: true, identityFields: ['email'] },
    mfa: { enabled: false, duration: 1800, rule: '' },
    otp: { enabled: false, duration: 180, length: 8, emailTemplate: template },
    authToken: { duration: 604800, secret: secret(`a${seed}`) },
    passwordResetToken: { duration: 1800, secret: secret(`p${seed}`) },
    emailChangeToken: { duration: 1800, secret: secret(`e${seed}`) },
    verificationToken: { duration: 259200, secret: secret(`v${seed}`) },
    fileToken: { duration: 180, secret: secret(`f${seed}`) },
    verificationTemplate: template,
    resetPasswordTemplate: template,
    confirmEmailChangeTemplate: template,
    ...overrides,
  };
}

export interface PbCollectionDef {
  id: string;
  name: string;
  type: 'base' | 'auth' | 'view';
  system?: boolean;
  fields: Json[];
  indexes?: string[];
  listRule?: string | null;
  viewRule?: string | null;
  createRule?: string | null;
  updateRule?: string | null;
  deleteRule?: string | null;
  options?: Json;
}

const ident = (name: string) => `\`${name}\``;

export class PbDataFixture {
  readonly db: Database.Database;
  private created = 0;

  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'storage'), { recursive: true });
    this.db = new Database(join(dir, 'data.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE _params (
        id TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL,
        value JSON DEFAULT NULL,
        created TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL,
        updated TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL
      );
      CREATE TABLE _collections (
        id TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL,
        system BOOLEAN DEFAULT FALSE NOT NULL,
        type TEXT DEFAULT "base" NOT NULL,
        name TEXT UNIQUE NOT NULL,
        fields JSON DEFAULT "[]" NOT NULL,
        indexes JSON DEFAULT "[]" NOT NULL,
        listRule TEXT DEFAULT NULL,
        viewRule TEXT DEFAULT NULL,
        createRule TEXT DEFAULT NULL,
        updateRule TEXT DEFAULT NULL,
        deleteRule TEXT DEFAULT NULL,
        options JSON DEFAULT "{}" NOT NULL,
        created TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL,
        updated TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL
      );
      CREATE INDEX IF NOT EXISTS idx__collections_type on _collections (type);
    `);
  }

  /** A collection row, its table (or view) and its indexes, as PocketBase saves them. */
  collection(def: PbCollectionDef, viewQuery?: string): void {
    const created = `2025-01-01 00:00:${String(this.created++).padStart(2, '0')}.000Z`;
    const options = def.type === 'view' ? { viewQuery } : (def.options ?? {});
    this.db
      .prepare(
        `INSERT INTO _collections (id, system, type, name, fields, indexes, listRule, viewRule, createRule, updateRule, deleteRule, options, created, updated)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        def.id,
        def.system ? 1 : 0,
        def.type,
        def.name,
        JSON.stringify(def.fields),
        JSON.stringify(def.indexes ?? []),
        def.listRule ?? null,
        def.viewRule ?? null,
        def.createRule ?? null,
        def.updateRule ?? null,
        def.deleteRule ?? null,
        JSON.stringify(options),
        created,
        created,
      );
    if (def.type === 'view') {
      this.db.exec(`CREATE VIEW ${ident(def.name)} AS ${viewQuery}`);
      return;
    }
    const columns = def.fields.map((field) => `${ident(String(field.name))} ${columnType(field)}`);
    this.db.exec(`CREATE TABLE ${ident(def.name)} (${columns.join(', ')})`);
    for (const index of def.indexes ?? []) this.db.exec(index);
  }

  /** Sets a raw collection column (to corrupt it). */
  rawCollectionColumn(name: string, column: 'fields' | 'options', text: string): void {
    this.db.prepare(`UPDATE _collections SET ${column} = ? WHERE name = ?`).run(text, name);
  }

  /** A row with values as PocketBase stores them (arrays and objects as JSON text, bools as 0/1). */
  insert(table: string, row: Record<string, unknown>): void {
    const names = Object.keys(row);
    const values = names.map((name) => {
      const value = row[name];
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (value !== null && typeof value === 'object') return JSON.stringify(value);
      return value;
    });
    this.db
      .prepare(
        `INSERT INTO ${ident(table)} (${names.map(ident).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
      )
      .run(...(values as (string | number | null)[]));
  }

  /** Many rows in one transaction. */
  insertMany(table: string, rows: Record<string, unknown>[]): void {
    this.db.transaction(() => {
      for (const row of rows) this.insert(table, row);
    })();
  }

  file(collectionId: string, recordId: string, name: string, bytes: Buffer): void {
    const dir = join(this.dir, 'storage', collectionId, recordId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), bytes);
    // gocloud's fileblob keeps the attributes beside each file; the import has no use for them.
    writeFileSync(join(dir, `${name}.attrs`), JSON.stringify({ 'user.content_type': 'application/octet-stream' }));
  }

  settings(value: Json): void {
    this.db
      .prepare(
        `INSERT INTO _params (id, value) VALUES ('settings', ?) ON CONFLICT(id) DO UPDATE SET value = excluded.value`,
      )
      .run(JSON.stringify(value));
  }

  close(): void {
    this.db.close();
  }
}
