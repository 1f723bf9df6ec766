import { describe, expect, it } from 'vitest';
import { readHistory, SQL_HISTORY_KEY, SQL_HISTORY_MAX, withoutQuery, withQuery, writeHistory } from './sql-history';

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
}

describe('SQL console history', () => {
  it('puts the newest query first and drops its loose duplicates (case, spaces, semicolons)', () => {
    const history = withQuery(['select 2', 'SELECT  1;'], 'select 1');
    expect(history).toEqual(['select 1', 'select 2']);
  });

  it(`keeps at most ${SQL_HISTORY_MAX} queries`, () => {
    let history: string[] = [];
    for (let i = 0; i < SQL_HISTORY_MAX + 5; i++) history = withQuery(history, `select ${i}`);
    expect(history).toHaveLength(SQL_HISTORY_MAX);
    expect(history[0]).toBe(`select ${SQL_HISTORY_MAX + 4}`);
  });

  it('removes one query', () => {
    expect(withoutQuery(['select 1', 'select 2'], 'select 1;')).toEqual(['select 2']);
  });

  it('round-trips through storage and reads garbage as empty', () => {
    const storage = memoryStorage();
    writeHistory(storage, ['select 1']);
    expect(readHistory(storage)).toEqual(['select 1']);
    expect(readHistory(memoryStorage({ [SQL_HISTORY_KEY]: '{not json' }))).toEqual([]);
    expect(readHistory(memoryStorage({ [SQL_HISTORY_KEY]: '{"a":1}' }))).toEqual([]);
    expect(readHistory(memoryStorage({ [SQL_HISTORY_KEY]: '["ok", 5, null]' }))).toEqual(['ok']);
  });
});
