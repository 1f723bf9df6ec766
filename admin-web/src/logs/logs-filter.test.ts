import { describe, expect, it } from 'vitest';
import { hourBars, logsFilter, nextHour } from './logs-filter';

describe('logsFilter', () => {
  it('combines the user filter, the superuser toggle and the zoom', () => {
    expect(logsFilter({ filter: '', includeSuperusers: true, zoom: null })).toBe('');
    expect(logsFilter({ filter: 'a = 1 || b = 2', includeSuperusers: false, zoom: null })).toBe(
      "(a = 1 || b = 2) && data.auth != '_superusers'",
    );
    expect(
      logsFilter({
        filter: '',
        includeSuperusers: true,
        zoom: { from: "2026-01-02 10:00:00.000Z'", to: '2026-01-02 11:00:00.000Z' },
      }),
    ).toBe("created >= '2026-01-02 10:00:00.000Z\\'' && created < '2026-01-02 11:00:00.000Z'");
  });

  it('steps hours and merges stats by hour', () => {
    expect(nextHour('2026-01-02 23:00:00')).toBe('2026-01-03 00:00:00.000Z');
    expect(
      hourBars(
        [
          { date: '2026-01-02 11:00:00', total: 3 },
          { date: '2026-01-02 10:00:00', total: 1 },
        ],
        [{ date: '2026-01-02 11:00:00', total: 2 }],
      ),
    ).toEqual([
      { date: '2026-01-02 10:00:00', ok: 1, failed: 0 },
      { date: '2026-01-02 11:00:00', ok: 3, failed: 2 },
    ]);
  });
});
