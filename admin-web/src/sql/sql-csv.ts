/** One CSV field (RFC 4180): quoted when it holds a quote, comma or line break; NULL is empty. */
function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A query result as CSV text: a header line of the column names, then one line per row (CRLF). */
export function toCsv(columns: string[], rows: (string | null)[][]): string {
  return [columns, ...rows].map((line) => `${line.map(csvField).join(',')}\r\n`).join('');
}

/** `export_<UTC time>.csv`, as PocketBase names its console exports. */
export function csvFileName(now = new Date()): string {
  return `export_${now.toISOString().replace(/[-:.]/g, '')}.csv`;
}
