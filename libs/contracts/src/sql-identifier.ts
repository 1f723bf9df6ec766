/**
 * The one gate every dynamic identifier passes on its way into SQL text (table, column, index,
 * alias, database names): it refuses what Postgres cannot name and quotes the rest, so no package
 * hand-quotes. It lives in contracts because every layer builds SQL (platform and the gateway
 * cannot import the schema library); `@hivebase/schema` re-exports it.
 */
export class InvalidSqlIdentifierError extends Error {
  constructor(reason: string) {
    super(`invalid SQL identifier: ${reason}`);
    this.name = 'InvalidSqlIdentifierError';
  }
}

/**
 * A Postgres identifier, double-quoted with embedded quotes doubled. Throws for what no Postgres
 * identifier can be (not a string, empty, or holding U+0000): a programming error, since names
 * reach SQL from the schema, never straight from a request.
 */
export function quoteIdent(name: string): string {
  if (typeof name !== 'string') throw new InvalidSqlIdentifierError(`expected a string, got ${typeof name}`);
  if (name === '') throw new InvalidSqlIdentifierError('empty');
  if (name.includes('\u0000')) throw new InvalidSqlIdentifierError('contains U+0000');
  return `"${name.replaceAll('"', '""')}"`;
}
