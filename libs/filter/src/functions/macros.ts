import { pbDateTime } from '@hivebase/contracts';
import type { MacroName } from '../parser/filter.ast';

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
      return pbDateTime(now);
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
      return pbDateTime(new Date(now.getTime() - 86_400_000));
    case '@tomorrow':
      return pbDateTime(new Date(now.getTime() + 86_400_000));
    case '@todayStart':
      return pbDateTime(utc(y, m, d));
    case '@todayEnd':
      return pbDateTime(utc(y, m, d, 23, 59, 59, 999));
    case '@monthStart':
      return pbDateTime(utc(y, m, 1));
    case '@monthEnd':
      return pbDateTime(utc(y, m + 1, 0, 23, 59, 59, 999));
    case '@yearStart':
      return pbDateTime(utc(y, 0, 1));
    case '@yearEnd':
      return pbDateTime(utc(y, 11, 31, 23, 59, 59, 999));
  }
}
