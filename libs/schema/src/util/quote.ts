/** The one identifier gate (validates and quotes), defined in contracts so every layer shares it. */
export { InvalidSqlIdentifierError, quoteIdent } from '@hivebase/contracts';

/** A Postgres string literal (for DDL, which cannot take bind parameters). */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
