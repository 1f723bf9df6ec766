import type { IndexSourceSpan } from './index.model';
import { indexColumnRefs, parseIndex } from './index.parser';

const backtick = (name: string) => `\`${name.replaceAll('`', '``')}\``;

/** Replaces the given spans (non-overlapping) with `text`, keeping the rest of the statement as written. */
function splice(sql: string, spans: IndexSourceSpan[], text: string): string {
  let out = sql;
  for (const span of [...spans].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, span.start) + text + out.slice(span.end);
  }
  return out;
}

function parseOrNull(sql: string): ReturnType<typeof parseIndex> | null {
  try {
    return parseIndex(sql);
  } catch {
    return null;
  }
}

/**
 * The index statement with its table name replaced by `newTable`, as PocketBase rewrites a
 * collection's indexes when the collection is renamed. Only the table token changes (written
 * with backticks); the rest keeps its formatting. A statement that does not parse is returned
 * unchanged, for validation to report.
 */
export function replaceIndexTable(sql: string, newTable: string): string {
  const parsed = parseOrNull(sql);
  return parsed ? splice(sql, [parsed.tableSpan], backtick(newTable)) : sql;
}

/**
 * The index statement with every reference to column `oldName` (case-insensitive, as SQLite
 * matches columns) replaced by `newName`, for a renamed field. Index and table names and string
 * literals are left alone. A statement that does not parse is returned unchanged.
 */
export function replaceIndexColumn(sql: string, oldName: string, newName: string): string {
  const parsed = parseOrNull(sql);
  if (!parsed) return sql;
  const spans = indexColumnRefs(parsed)
    .filter((ref) => ref.name.toLowerCase() === oldName.toLowerCase())
    .map((ref) => ref.span);
  return spans.length > 0 ? splice(sql, spans, backtick(newName)) : sql;
}
