import type { MacroName } from '../parser/filter.ast';

/** PocketBase's date format: `YYYY-MM-DD HH:MM:SS.sssZ` (UTC). */
export function formatPbDate(date: Date): string {
  return date.toISOString().replace('T', ' ');
}

function utc(y: number, m: number, d: number, h = 0, mi = 0, s = 0, ms = 0): Date {
  const date = new Date(Date.UTC(2000, 0, 1, h, mi, s, ms));
  date.setUTCFullYear(y, m, d);
  return date;
}

/** The value of a date macro at `now`: a date string or a number, as PocketBase binds it. */
export function macroValue(name: MacroName, now: Date): string | number {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  switch (name) {
    case '@now':
      return formatPbDate(now);
    case '@second':
      return now.getUTCSeconds();
    case '@minute':
      return now.getUTCMinutes();
    case '@hour':
      return now.getUTCHours();
    case '@weekday':
      return now.getUTCDay();
    case '@day':
      return d;
    case '@month':
      return m + 1;
    case '@year':
      return y;
    case '@yesterday':
      return formatPbDate(new Date(now.getTime() - 86_400_000));
    case '@tomorrow':
      return formatPbDate(new Date(now.getTime() + 86_400_000));
    case '@todayStart':
      return formatPbDate(utc(y, m, d));
    case '@todayEnd':
      return formatPbDate(utc(y, m, d, 23, 59, 59, 999));
    case '@monthStart':
      return formatPbDate(utc(y, m, 1));
    case '@monthEnd':
      return formatPbDate(utc(y, m + 1, 0, 23, 59, 59, 999));
    case '@yearStart':
      return formatPbDate(utc(y, 0, 1));
    case '@yearEnd':
      return formatPbDate(utc(y, 11, 31, 23, 59, 59, 999));
  }
}
