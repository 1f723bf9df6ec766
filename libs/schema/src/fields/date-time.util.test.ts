import { describe, expect, it } from 'vitest';
import { formatDateTimeMs, goTimeJson, goTimeString, normalizeDateTime, parseDateTimeMs } from './date-time.util';

describe('date-time util', () => {
  it('formats fixed-width UTC strings that sort like the times they hold', () => {
    const times = ['0099-01-01', '1969-12-31T23:59:59.999Z', '1970-01-01', '2024-01-02T03:04:05.006Z', '9999-12-31'];
    const formatted = times.map(normalizeDateTime);
    expect(formatted.every((text) => text.length === 24)).toBe(true);
    expect([...formatted].sort()).toEqual(formatted);
  });

  it('refuses what the fixed width cannot hold', () => {
    expect(formatDateTimeMs(Date.UTC(10000, 0, 1))).toBe('');
    expect(formatDateTimeMs(Number.NaN)).toBe('');
    expect(normalizeDateTime('9999-12-31T23:00:00-05:00')).toBe('');
  });

  it('accepts Date objects', () => {
    expect(normalizeDateTime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('2024-01-02 03:04:05.006Z');
    expect(normalizeDateTime(new Date('invalid'))).toBe('');
  });

  it("renders Go's time formats for messages", () => {
    const ms = parseDateTimeMs('2024-01-02 03:04:05.120Z') ?? 0;
    expect(goTimeString(ms)).toBe('2024-01-02 03:04:05.12 +0000 UTC');
    expect(goTimeJson(ms)).toBe('2024-01-02T03:04:05.12Z');
  });
});
