import { pbDateTime } from '@hivebase/contracts';
import { describe, expect, it } from 'vitest';
import { nowDateTime } from './random';

describe('pbDateTime', () => {
  it('formats any date as PocketBase does, whether its second was the last one asked or not', () => {
    const expected = (date: Date) => date.toISOString().replace('T', ' ');
    const moments = [
      0,
      -1,
      999,
      1000,
      1001,
      59_999,
      Date.UTC(2026, 11, 7, 15, 4, 5, 7),
      Date.UTC(2026, 11, 7, 15, 4, 5, 70),
      Date.UTC(2026, 11, 7, 15, 4, 5, 700),
      Date.UTC(2026, 11, 7, 15, 4, 6, 0),
      Date.UTC(1969, 0, 1, 0, 0, 0, 5),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1),
      -62198755200000 - 1,
    ];
    // Each moment twice in a row (the cached second) and after a different second.
    for (const ms of [...moments, ...moments.toReversed()]) {
      expect(pbDateTime(new Date(ms))).toBe(expected(new Date(ms)));
      expect(pbDateTime(new Date(ms))).toBe(expected(new Date(ms)));
    }
    let ms = Date.UTC(2026, 0, 1);
    for (let step = 0; step < 5000; step++, ms += 7) expect(pbDateTime(new Date(ms))).toBe(expected(new Date(ms)));
    expect(() => pbDateTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('nowDateTime', () => {
  it('is the current time in the wire format', () => {
    const before = Date.now();
    const now = nowDateTime();
    expect(now).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const at = Date.parse(now.replace(' ', 'T'));
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});
