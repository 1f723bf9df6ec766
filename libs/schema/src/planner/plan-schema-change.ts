import { definitionOf, storageKindOf } from '../fields/field-registry';
import { indexToPostgres, parseIndex } from '../indexes';
import type { Collection } from '../model/collection.model';
import type { Field } from '../model/field.model';
import { quoteIdent } from '../util/quote';
import { createViewSql } from '../views';

/** One step of a schema change; its statements run in order inside the change's transaction. */
export interface SchemaAction {
  kind:
    | 'createTable'
    | 'dropTable'
    | 'renameTable'
    | 'createView'
    | 'dropView'
    | 'addColumn'
    | 'dropColumn'
    | 'renameColumn'
    | 'convertColumn'
    | 'createIndex'
    | 'dropIndex';
  sql: string;
}

/**
 * PocketBase's `@rowid` (SQLite's rowid): a hidden, ever-growing insertion number on every
 * collection table. Lists without a sort come back in its order, and `sort=@rowid` names it.
 * Not a field: record JSON, rules and filters never see it.
 */
export const ROWID_COLUMN = '__hb_rowid';
export const ROWID_COLUMN_SQL = `${quoteIdent(ROWID_COLUMN)} bigint GENERATED ALWAYS AS IDENTITY UNIQUE`;

const action = (kind: SchemaAction['kind'], sql: string): SchemaAction => ({ kind, sql });

function columnDefinition(field: Field): string {
  if (field.type === 'text' && field.primaryKey) return 'text NOT NULL PRIMARY KEY';
  return definitionOf(field).columnType(field as never);
}

const indexNameOf = (statement: string) => parseIndex(statement).name;

/** Postgres type and conversion for a field whose storage switched between single and multiple. */
function conversionSql(table: string, before: Field, after: Field): string | null {
  const from = storageKindOf(before);
  const to = storageKindOf(after);
  if (from === to) return null;
  const column = quoteIdent(after.name);
  const retype = (type: string, using: string, fallback: string) =>
    `ALTER TABLE ${quoteIdent(table)} ALTER COLUMN ${column} DROP DEFAULT, ` +
    `ALTER COLUMN ${column} TYPE ${type} USING (${using}), ALTER COLUMN ${column} SET DEFAULT ${fallback}`;
  if (from === 'text' && to === 'textList') {
    return retype('text[]', `CASE WHEN ${column} = '' THEN '{}'::text[] ELSE ARRAY[${column}] END`, "'{}'");
  }
  if (from === 'textList' && to === 'text') {
    // PocketBase keeps the last item when a field goes from multiple to single.
    return retype('text', `COALESCE(${column}[cardinality(${column})], '')`, "''");
  }
  throw new Error(`cannot convert ${before.name} from ${from} to ${to}`);
}

function planTable(before: Collection | null, after: Collection): SchemaAction[] {
  const actions: SchemaAction[] = [];
  const table = quoteIdent(after.name);
  if (!before) {
    const columns = after.fields.map((field) => `${quoteIdent(field.name)} ${columnDefinition(field)}`);
    columns.push(ROWID_COLUMN_SQL);
    actions.push(action('createTable', `CREATE TABLE ${table} (${columns.join(', ')})`));
  } else {
    for (const statement of before.indexes) {
      actions.push(action('dropIndex', `DROP INDEX IF EXISTS ${quoteIdent(indexNameOf(statement))}`));
    }
    if (before.name !== after.name) {
      actions.push(action('renameTable', `ALTER TABLE ${quoteIdent(before.name)} RENAME TO ${table}`));
    }
    const oldById = new Map(before.fields.map((field) => [field.id, field]));
    const newIds = new Set(after.fields.map((field) => field.id));
    for (const old of before.fields) {
      if (!newIds.has(old.id))
        actions.push(action('dropColumn', `ALTER TABLE ${table} DROP COLUMN ${quoteIdent(old.name)}`));
    }
    // Renames go through temporary names first, so two fields can swap names.
    const renamed = after.fields.filter((field) => {
      const old = oldById.get(field.id);
      return old !== undefined && old.name !== field.name;
    });
    for (const field of renamed) {
      const old = oldById.get(field.id) as Field;
      actions.push(
        action(
          'renameColumn',
          `ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(old.name)} TO ${quoteIdent(`_hb_tmp_${field.id}`)}`,
        ),
      );
    }
    for (const field of renamed) {
      actions.push(
        action(
          'renameColumn',
          `ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(`_hb_tmp_${field.id}`)} TO ${quoteIdent(field.name)}`,
        ),
      );
    }
    for (const field of after.fields) {
      const old = oldById.get(field.id);
      if (!old) {
        actions.push(
          action('addColumn', `ALTER TABLE ${table} ADD COLUMN ${quoteIdent(field.name)} ${columnDefinition(field)}`),
        );
        continue;
      }
      const conversion = conversionSql(after.name, old, field);
      if (conversion) actions.push(action('convertColumn', conversion));
    }
  }
  for (const statement of after.indexes) {
    actions.push(action('createIndex', indexToPostgres(parseIndex(statement), after)));
  }
  return actions;
}

/**
 * The DDL that turns `before` into `after` (either may be null for create/delete). Fields are
 * matched by id, so renames keep their data; type changes are refused earlier by validation.
 */
export function planSchemaChange(before: Collection | null, after: Collection | null): SchemaAction[] {
  if (before?.type === 'view' || after?.type === 'view') {
    const actions: SchemaAction[] = [];
    if (before) {
      actions.push(
        before.type === 'view'
          ? action('dropView', `DROP VIEW IF EXISTS ${quoteIdent(before.name)}`)
          : action('dropTable', `DROP TABLE ${quoteIdent(before.name)}`),
      );
    }
    if (after?.type === 'view') actions.push(action('createView', createViewSql(after.name, after.viewQuery)));
    else if (after) actions.push(...planTable(null, after));
    return actions;
  }
  if (!after) return before ? [action('dropTable', `DROP TABLE ${quoteIdent(before.name)}`)] : [];
  return planTable(before, after);
}
