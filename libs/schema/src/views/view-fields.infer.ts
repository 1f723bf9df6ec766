import type { ClientBase, FieldDef } from 'pg';
import type { CollectionLookup } from '../model/collection.model';
import type {
  BoolField,
  Field,
  FieldCommon,
  JsonField,
  NumberField,
  RelationField,
  TextField,
} from '../model/field.model';
import { crc32Checksum } from '../util/crc32';
import { randomString } from '../util/random';
import { ViewQueryError } from './view-query.errors';
import { normalizeViewQuery } from './view-query.guard';

/** Planning a LIMIT 0 query is quick; anything slower is a query a view should not have. */
export const VIEW_PROBE_TIMEOUT_MS = 5_000;

const PROBE_SAVEPOINT = 'hb_view_probe';

/** Postgres type OIDs (pg_type.oid; fixed for built-in types). */
const BOOL_TYPES = new Set([16]);
const NUMBER_TYPES = new Set([20, 21, 23, 700, 701, 1700]); // int8, int2, int4, float4, float8, numeric
const TEXT_TYPES = new Set([19, 25, 1042, 1043]); // name, text, bpchar, varchar

/** SQLSTATE classes that mean "the query is wrong", as opposed to the connection or server failing. */
const USER_ERROR_CLASSES = ['42', '22', '0A', '21', '2F', '38', '39', '54', 'P0'];
const USER_ERROR_CODES = new Set(['25006', '57014']); // read-only transaction, statement timeout

/** Alias names PocketBase would accept as field names (`?column?` is what Postgres calls an unnamed expression). */
const COLUMN_NAME = /^\w+$/;

/** Where a view's result column is read from: a table's (or view's) column, by name. */
export interface ViewColumnOrigin {
  tableName: string;
  columnName: string;
}

const common = (type: Field['type'], name: string): FieldCommon => ({
  id: `${type}${crc32Checksum(name)}`,
  name,
  system: false,
  hidden: false,
  presentable: false,
});

/** PocketBase's view `id` field: always a text primary key, whatever the column's type. */
const idField = (): TextField => ({
  ...common('text', 'id'),
  system: true,
  type: 'text',
  required: true,
  min: 0,
  max: 0,
  pattern: '^[a-z0-9]+$',
  autogeneratePattern: '',
  primaryKey: true,
});

const textField = (name: string): TextField => ({
  ...common('text', name),
  type: 'text',
  required: false,
  min: 0,
  max: 0,
  pattern: '',
  autogeneratePattern: '',
  primaryKey: false,
});

const numberField = (name: string): NumberField => ({
  ...common('number', name),
  type: 'number',
  required: false,
  min: null,
  max: null,
  onlyInt: false,
});

const boolField = (name: string): BoolField => ({ ...common('bool', name), type: 'bool', required: false });

/** PocketBase's fallback for expressions it cannot type (`maxSize: 1`, unused for views). */
const jsonField = (name: string): JsonField => ({ ...common('json', name), type: 'json', required: false, maxSize: 1 });

/** A selected `<collection>.id` is a reference to that collection's records. */
const relationField = (name: string, collectionId: string): RelationField => ({
  ...common('relation', name),
  type: 'relation',
  required: false,
  collectionId,
  cascadeDelete: false,
  minSelect: 0,
  maxSelect: 1,
});

function fieldForType(name: string, dataTypeId: number): Field {
  if (BOOL_TYPES.has(dataTypeId)) return boolField(name);
  if (NUMBER_TYPES.has(dataTypeId)) return numberField(name);
  if (TEXT_TYPES.has(dataTypeId)) return textField(name);
  return jsonField(name);
}

function isPgError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

function isUserError(code: string): boolean {
  return USER_ERROR_CODES.has(code) || USER_ERROR_CLASSES.some((prefix) => code.startsWith(prefix));
}

/** Postgres's message, one line, printable, bounded; the wrapper query never appears in it. */
export function sanitizePgMessage(message: string): string {
  const flat = message
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}

/**
 * Runs `work` read-only and leaves nothing behind: inside the caller's transaction through a
 * savepoint (rolled back to, so the transaction stays usable even after a failing query),
 * otherwise in a transaction of its own that is rolled back.
 */
async function readOnly<T>(client: ClientBase, work: () => Promise<T>): Promise<T> {
  let nested = true;
  try {
    await client.query(`SAVEPOINT ${PROBE_SAVEPOINT}`);
  } catch (error) {
    // 25P01: no transaction in progress. Anything else (e.g. an aborted transaction) is the caller's.
    if (!isPgError(error) || error.code !== '25P01') throw error;
    nested = false;
  }
  try {
    if (nested) await client.query('SET TRANSACTION READ ONLY');
    else await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${VIEW_PROBE_TIMEOUT_MS}`);
    return await work();
  } finally {
    if (nested) {
      await client.query(`ROLLBACK TO SAVEPOINT ${PROBE_SAVEPOINT}`);
      await client.query(`RELEASE SAVEPOINT ${PROBE_SAVEPOINT}`);
    } else {
      await client.query('ROLLBACK');
    }
  }
}

/** Table and column names for the result columns that come straight from a table or view column. */
async function columnOrigins(client: ClientBase, fields: FieldDef[]): Promise<Map<string, ViewColumnOrigin>> {
  const direct = fields.filter((field) => field.tableID > 0 && field.columnID > 0);
  const origins = new Map<string, ViewColumnOrigin>();
  if (direct.length === 0) return origins;
  const { rows } = await client.query<{ table_id: number; column_id: number; table_name: string; column_name: string }>(
    `SELECT c.oid AS table_id, a.attnum AS column_id, c.relname AS table_name, a.attname AS column_name
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = to_regnamespace(current_schema())
        AND (a.attrelid, a.attnum) IN (SELECT * FROM unnest($1::oid[], $2::int2[]))`,
    [direct.map((field) => field.tableID), direct.map((field) => field.columnID)],
  );
  for (const row of rows) {
    origins.set(`${row.table_id}:${row.column_id}`, { tableName: row.table_name, columnName: row.column_name });
  }
  return origins;
}

/**
 * Runs the view query as `SELECT * FROM (<query>) AS v LIMIT 0` (see `inferViewFields`) and
 * returns its result columns with the origins of those read straight from a column.
 */
async function probeView(
  client: ClientBase,
  viewQuery: string,
): Promise<{ columns: FieldDef[]; origins: Map<string, ViewColumnOrigin> }> {
  const query = normalizeViewQuery(viewQuery);
  try {
    return await readOnly(client, async () => {
      // The bind parameter forces the extended protocol, which refuses a second statement.
      const probe = await client.query({ text: `SELECT * FROM (\n${query}\n) AS hb_view_probe LIMIT $1`, values: [0] });
      return { columns: probe.fields, origins: await columnOrigins(client, probe.fields) };
    });
  } catch (error) {
    if (isPgError(error) && isUserError(error.code)) throw new ViewQueryError(sanitizePgMessage(error.message));
    throw error;
  }
}

/**
 * The origin of each result column of a view query that is read straight from a table's or
 * view's column (through aliases, joins, subqueries and CTEs, as Postgres reports it), by column
 * name; computed columns are absent. A column read from another view names that view, not the
 * view's own source. Probed like `inferViewFields` (same errors).
 */
export async function viewColumnOrigins(client: ClientBase, viewQuery: string): Promise<Map<string, ViewColumnOrigin>> {
  const { columns, origins } = await probeView(client, viewQuery);
  const byName = new Map<string, ViewColumnOrigin>();
  for (const column of columns) {
    const origin = origins.get(`${column.tableID}:${column.columnID}`);
    if (origin) byName.set(column.name, origin);
  }
  return byName;
}

function checkColumnNames(fields: FieldDef[]): void {
  const seen = new Set<string>();
  for (const { name } of fields) {
    if (!COLUMN_NAME.test(name)) {
      throw new ViewQueryError(`invalid column name ${JSON.stringify(name)} (give every expression an alias: AS name)`);
    }
    // Field names are case-insensitive in PocketBase.
    if (seen.has(name.toLowerCase())) throw new ViewQueryError(`duplicated column name "${name}"`);
    seen.add(name.toLowerCase());
  }
  if (!fields.some(({ name }) => name === 'id')) {
    throw new ViewQueryError(
      "missing required id column (you can use `(ROW_NUMBER() OVER()) as id` if you don't have one)",
    );
  }
}

/** The view field for one result column, PocketBase style. */
function inferField(
  column: FieldDef,
  origin: ViewColumnOrigin | undefined,
  lookup: CollectionLookup,
  usedIds: Set<string>,
): Field {
  if (column.name === 'id') return idField();
  const collection = origin ? lookup.find(origin.tableName) : undefined;
  // Tables are named exactly like their collection; `find` also matches ids, which must not count.
  const source = collection?.name === origin?.tableName ? collection : undefined;
  if (source && origin) {
    if (origin.columnName === 'id') return relationField(column.name, source.id);
    const original = source.fields.find((field) => field.name === origin.columnName);
    if (original) {
      // A fresh id per clone, as PocketBase (`_clone_` + 4 random characters), so the same field
      // selected twice under two aliases still gets two ids.
      let id: string;
      do id = `_clone_${randomString(4)}`;
      while (usedIds.has(id));
      usedIds.add(id);
      return { ...structuredClone(original), id, name: column.name };
    }
  }
  return fieldForType(column.name, column.dataTypeID);
}

/**
 * The fields of a view collection, inferred from its query. The query must pass
 * `normalizeViewQuery`; it is then probed as `SELECT * FROM (<query>) AS v LIMIT 0` over the
 * extended protocol (one statement only) in a read-only transaction or savepoint with a
 * statement timeout, and the result's column metadata decides each field:
 * - a column named `id` → PocketBase's view id field (text primary key); one is required;
 * - a column read directly from a collection's table or view (Postgres reports its origin, also
 *   through aliases, joins, subqueries and CTEs) → a copy of that field with the column's name
 *   and a fresh `_clone_xxxx` id, options kept (relation target, select values, file options…);
 *   `<collection>.id` → a single relation to that collection;
 * - any other expression by its Postgres type: boolean → bool, integer/float/numeric → number,
 *   text/varchar/char/name → text, anything else (json, arrays, timestamps, …) → json, which is
 *   PocketBase's fallback for untyped expressions.
 * Column names must be valid, unique field names. Query problems throw `ViewQueryError` (with the
 * Postgres message, sanitised); connection failures and the like are rethrown as they are.
 */
export async function inferViewFields(
  client: ClientBase,
  viewQuery: string,
  lookup: CollectionLookup,
): Promise<Field[]> {
  const { columns, origins } = await probeView(client, viewQuery);
  checkColumnNames(columns);
  const usedIds = new Set<string>();
  return columns.map((column) =>
    inferField(column, origins.get(`${column.tableID}:${column.columnID}`), lookup, usedIds),
  );
}
