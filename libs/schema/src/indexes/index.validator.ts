import type { ErrorData, FieldError } from '@hivebase/contracts';
import { fieldError } from '../fields/field-definition';
import type { Collection, CollectionLookup } from '../model/collection.model';
import { IndexParseError } from './index.errors';
import type { ParsedIndex } from './index.model';
import { parseIndex } from './index.parser';
import { indexToPostgres } from './index.translator';

export interface IndexValidationContext {
  /** The stored collection this one updates; absent on create. */
  original?: Collection;
  /** Every collection, to catch index names already taken elsewhere. */
  lookup?: CollectionLookup;
}

/** Auth collections cannot work without these unique indexes (PocketBase requires them too). */
const AUTH_UNIQUE_COLUMNS = ['tokenKey', 'email'] as const;

function parseOrNull(sql: unknown): ParsedIndex | null {
  if (typeof sql !== 'string') return null;
  try {
    return parseIndex(sql);
  } catch {
    return null;
  }
}

/**
 * The first unique index on exactly `column` (case-insensitive; WHERE and collation ignored), as
 * PocketBase's FindSingleColumnUniqueIndex: identity fields and auth system fields need one.
 */
export function findSingleColumnUniqueIndex(indexes: readonly string[], column: string): ParsedIndex | null {
  for (const sql of indexes) {
    const parsed = parseOrNull(sql);
    const only = parsed?.unique && parsed.items.length === 1 ? parsed.items[0].expr : null;
    if (parsed && only?.kind === 'column' && only.name.toLowerCase() === column.toLowerCase()) return parsed;
  }
  return null;
}

/** What an index enforces, without names, spans, collations and sort orders (PocketBase's comparison). */
function shapeKey(parsed: ParsedIndex): string {
  const items = parsed.items.map(({ expr }) =>
    expr.kind === 'column' ? expr.name.toLowerCase() : [expr.fn, expr.column.name.toLowerCase(), expr.path],
  );
  return JSON.stringify({ unique: parsed.unique, items });
}

/** Index names (lower-cased) already taken by other collections, and by whom. */
function takenNames(collection: Collection, { original, lookup }: IndexValidationContext): Map<string, string> {
  // The collection's own table name is taken too.
  const taken = new Map<string, string>([[collection.name.toLowerCase(), collection.name]]);
  for (const other of lookup?.all() ?? []) {
    if (other.id === collection.id || other.id === original?.id) continue;
    // Postgres keeps tables, views and indexes in one namespace: a collection's name is taken too.
    taken.set(other.name.toLowerCase(), other.name);
    for (const sql of other.indexes) {
      const parsed = parseOrNull(sql);
      if (parsed) taken.set(parsed.name.toLowerCase(), other.name);
    }
  }
  return taken;
}

function indexErrors(collection: Collection, context: IndexValidationContext): ErrorData {
  const errors: ErrorData = {};
  const names = new Set<string>();
  const definitions = new Set<string>();
  const taken = takenNames(collection, context);
  collection.indexes.forEach((sql, i) => {
    let parsed: ParsedIndex;
    let definition: string;
    try {
      parsed = parseIndex(sql);
      // Translating checks every column against the fields, so a bad index is a 400 here rather
      // than a failed CREATE INDEX later; with a fixed name it also serves as the definition key.
      definition = indexToPostgres({ ...parsed, name: 'validator' }, collection);
      indexToPostgres(parsed, collection);
    } catch (error) {
      if (!(error instanceof IndexParseError)) throw error;
      errors[String(i)] = fieldError(
        'validation_invalid_index_expression',
        `Invalid CREATE INDEX expression - ${error.message}`,
      );
      return;
    }
    const name = parsed.name.toLowerCase();
    const usedBy = taken.get(name);
    if (names.has(name)) {
      errors[String(i)] = fieldError('validation_duplicated_index_name', 'The index name already exists.');
    } else if (usedBy !== undefined) {
      errors[String(i)] = fieldError(
        'validation_existing_index_name',
        `The index name is already used in ${usedBy} collection.`,
        { usedTableName: usedBy },
      );
    } else if (definitions.has(definition)) {
      errors[String(i)] = fieldError('validation_duplicated_index_definition', 'The index definition already exists.');
    }
    names.add(name);
    definitions.add(definition);
  });
  return errors;
}

/** PocketBase: a unique index over a system field may change its name or collation, not disappear. */
function systemUniqueIndexError(collection: Collection, original: Collection): FieldError | null {
  const newShapes = new Set(
    collection.indexes.map(parseOrNull).flatMap((parsed) => (parsed ? [shapeKey(parsed)] : [])),
  );
  const systemNames = new Map(
    original.fields.filter((field) => field.system).map((field) => [field.name.toLowerCase(), field.name]),
  );
  for (const sql of original.indexes) {
    const parsed = parseOrNull(sql);
    if (!parsed?.unique) continue;
    for (const item of parsed.items) {
      const column = item.expr.kind === 'column' ? item.expr.name : item.expr.column.name;
      const systemName = systemNames.get(column.toLowerCase());
      if (systemName === undefined) continue;
      if (!newShapes.has(shapeKey(parsed))) {
        return fieldError(
          'validation_invalid_unique_system_field_index',
          `Unique index definition on system fields (${systemName}) is invalid or missing.`,
          { fieldName: systemName },
        );
      }
      break;
    }
  }
  return null;
}

/**
 * Checks a collection's `indexes` the way PocketBase's collection validator does, plus what only
 * a translation can tell (unknown columns, unsupported expressions, literals of the wrong type).
 * Returns `{}` when valid, else `{indexes: {"<i>": {code, message}}}` per bad index, or
 * `{indexes: {code, message}}` for a problem with the list as a whole. Codes are PocketBase's:
 * `validation_indexes_not_supported` (views), `validation_invalid_index_expression`,
 * `validation_duplicated_index_name`, `validation_existing_index_name` (needs `context.lookup`),
 * `validation_duplicated_index_definition`, `validation_invalid_unique_system_field_index` (needs
 * `context.original`), `validation_missing_required_unique_index` (auth `tokenKey`/`email`).
 *
 * The table named in a statement is not checked: as in PocketBase it is replaced by the
 * collection's name when the index is created (see `indexToPostgres`).
 */
export function validateIndexes(collection: Collection, context: IndexValidationContext = {}): ErrorData {
  if (collection.type === 'view') {
    return collection.indexes.length > 0
      ? { indexes: fieldError('validation_indexes_not_supported', "View collections don't support indexes.") }
      : {};
  }
  const perIndex = indexErrors(collection, context);
  if (Object.keys(perIndex).length > 0) return { indexes: perIndex };

  const systemError = context.original ? systemUniqueIndexError(collection, context.original) : null;
  if (systemError) return { indexes: systemError };

  if (collection.type === 'auth') {
    for (const column of AUTH_UNIQUE_COLUMNS) {
      if (!findSingleColumnUniqueIndex(collection.indexes, column)) {
        return {
          indexes: fieldError(
            'validation_missing_required_unique_index',
            `Missing required unique index for field "${column}".`,
            { fieldName: column },
          ),
        };
      }
    }
  }
  return {};
}
