import type { StorageKind } from '@hivebase/schema';
import { describe, expect, it } from 'vitest';
import type { SqliteValue } from './pocketbase-data';
import { columnValue } from './record-values.util';

describe('columnValue: PocketBase SQLite values as Hivebase columns take them', () => {
  it.each<[StorageKind, SqliteValue, unknown]>([
    ['text', 'hello', 'hello'],
    ['text', null, ''],
    ['text', 12, '12'],
    ['text', '2025-02-03 04:05:06.789Z', '2025-02-03 04:05:06.789Z'],
    ['text', Buffer.from('bytes'), 'bytes'],
    ['number', 42, 42],
    ['number', 3.5, 3.5],
    ['number', '7', 7],
    ['number', null, 0],
    ['number', 'not a number', 0],
    ['number', 9n, 9],
    ['bool', 1, true],
    ['bool', 0, false],
    ['bool', null, false],
    ['bool', 'true', true],
    ['textList', '["a","b"]', ['a', 'b']],
    ['textList', '[]', []],
    ['textList', '', []],
    ['textList', null, []],
    // A field made multiple after values were stored keeps the single value.
    ['textList', 'single', ['single']],
    ['textList', '[1,null,""]', ['1']],
    ['json', '{"a":[1,true]}', '{"a":[1,true]}'],
    ['json', null, null],
    ['json', 5, '5'],
    ['json', 'plain text', '"plain text"'],
    ['geoPoint', '{"lon":13.4,"lat":52.5}', '{"lon":13.4,"lat":52.5}'],
    ['geoPoint', 'garbage', '{"lon":0,"lat":0}'],
    ['geoPoint', null, '{"lon":0,"lat":0}'],
  ])('%s %s', (kind, raw, expected) => {
    expect(columnValue(kind, raw)).toEqual(expected);
  });
});
