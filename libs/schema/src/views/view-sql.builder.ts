import { quoteIdent } from '../util/quote';
import { normalizeViewQuery } from './view-query.guard';

/** Postgres silently truncates longer identifiers. */
const MAX_VIEW_NAME_BYTES = 63;

function viewIdent(name: string): string {
  // Names are validated with the collection; these are programming errors, not user input.
  if (!name || name.includes('\0') || Buffer.byteLength(name, 'utf8') > MAX_VIEW_NAME_BYTES) {
    throw new Error(`Invalid view name ${JSON.stringify(name)}`);
  }
  return quoteIdent(name);
}

/**
 * `CREATE VIEW "name" AS SELECT * FROM (<query>) AS "_hb_view"` for a view collection. The query
 * is checked with `normalizeViewQuery` (throws `ViewQueryError`) and, as PocketBase does, wrapped
 * in a subquery so that whatever slipped through cannot become a second statement; the newlines
 * keep a trailing `--` comment from swallowing the closing parenthesis.
 */
export function createViewSql(name: string, viewQuery: string): string {
  return `CREATE VIEW ${viewIdent(name)} AS SELECT * FROM (\n${normalizeViewQuery(viewQuery)}\n) AS "_hb_view"`;
}

/** `DROP VIEW IF EXISTS "name"`. */
export function dropViewSql(name: string): string {
  return `DROP VIEW IF EXISTS ${viewIdent(name)}`;
}
