/** localStorage key of the console's past queries (PocketBase's dashboard uses the same name). */
export const SQL_HISTORY_KEY = 'pbSQLConsoleHistory';

/** How many past queries are kept. */
export const SQL_HISTORY_MAX = 10;

// Queries differing only in whitespace, semicolons or letter case count as one.
const looseKey = (query: string) => query.replace(/[\s;]/g, '').toUpperCase();

/** The stored history, newest first; anything unreadable counts as empty. */
export function readHistory(storage: Pick<Storage, 'getItem'>): string[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(SQL_HISTORY_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

export function writeHistory(storage: Pick<Storage, 'setItem'>, history: string[]): void {
  storage.setItem(SQL_HISTORY_KEY, JSON.stringify(history));
}

/** `history` without `query` (nor its loose duplicates). */
export function withoutQuery(history: string[], query: string): string[] {
  const key = looseKey(query);
  return history.filter((item) => looseKey(item) !== key);
}

/** `query` moved (or added) to the front, duplicates dropped, at most SQL_HISTORY_MAX kept. */
export function withQuery(history: string[], query: string): string[] {
  return [query, ...withoutQuery(history, query)].slice(0, SQL_HISTORY_MAX);
}
