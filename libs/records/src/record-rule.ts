import { compileFilter, type RequestContext } from '@hivebase/filter';
import { type Collection, type CollectionLookup, quoteIdent } from '@hivebase/schema';
import { statementNames } from './prepared';
import type { Queryable } from './queryable';

/**
 * Whether the stored record `recordId` satisfies `rule` for this request: null → nobody, "" →
 * everyone, else the rule compiled to SQL and run against the record (rules may use hidden
 * fields, `@request.*` and `@collection.*`).
 */
export async function recordMatchesRule(
  db: Queryable,
  lookup: CollectionLookup,
  collection: Collection,
  recordId: string,
  rule: string | null,
  request: RequestContext | null,
): Promise<boolean> {
  if (rule === null) return false;
  if (rule.trim() === '') return true;
  const compiled = compileFilter(rule, { lookup, collection, request, allowHiddenFields: true, paramOffset: 1 });
  const table = quoteIdent(collection.name);
  const { rowCount } = await statementNames.query(
    db,
    collection,
    `SELECT 1 FROM ${table} WHERE ${table}.id = $1 AND (${compiled.sql})`,
    [recordId, ...compiled.params],
  );
  return (rowCount ?? 0) > 0;
}
