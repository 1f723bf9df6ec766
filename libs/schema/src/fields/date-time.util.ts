// PocketBase's types.DateTime: UTC, stored and sent as `YYYY-MM-DD HH:MM:SS.sssZ`, with the
// zero time as "". Fixed width, so string order is time order (see docs/schema-storage.md).

// The layouts PocketBase accepts (its own, then spf13/cast's ISO-like fallbacks): date only,
// or date and time with `T` or a space, optional fraction, optional `Z` or numeric offset.
const DATE_TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?)?$/;

// Go's zero time (0001-01-01 00:00:00 UTC) is PocketBase's "no date".
const GO_ZERO_TIME_MS = -62135596800000;

/**
 * Normalises a submitted date to `YYYY-MM-DD HH:MM:SS.sssZ` in UTC, or "" when it is empty or
 * cannot be read (PocketBase ignores parse errors the same way). Precision is milliseconds;
 * finer fractions are truncated, as Go's `.000` layout does.
 */
/** `YYYY-MM-DD HH:MM:SS.sssZ` exactly, as PocketBase writes dates. */
const CANONICAL_DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

export function normalizeDateTime(raw: unknown): string {
  // Stored values are already canonical; skip the parse/format round trip for them (hot on reads).
  if (typeof raw === 'string' && CANONICAL_DATE_TIME.test(raw) && !raw.startsWith('0001-01-01 00:00:00.000'))
    return raw;
  const ms = parseDateTimeMs(raw);
  return ms === null ? '' : formatDateTimeMs(ms);
}

/** Milliseconds since the epoch, or null for an empty or unreadable value. */
export function parseDateTimeMs(raw: unknown): number | null {
  if (raw instanceof Date) {
    const time = raw.getTime();
    return Number.isNaN(time) || time === GO_ZERO_TIME_MS ? null : time;
  }
  if (typeof raw !== 'string' || raw === '') {
    // JSON numbers reach cast.ToTime as digit strings, which no layout matches.
    return null;
  }
  const match = DATE_TIME_PATTERN.exec(raw);
  if (!match) {
    return null;
  }
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    return null;
  }
  const offsetMinutes = parseZoneOffset(zone);
  if (offsetMinutes === null) {
    return null;
  }
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const ms = date.getTime() - offsetMinutes * 60_000;
  if (ms === GO_ZERO_TIME_MS || formatDateTimeMs(ms) === '') {
    return null;
  }
  return ms;
}

/** `YYYY-MM-DD HH:MM:SS.sssZ`, or "" outside years 0000-9999. */
export function formatDateTimeMs(ms: number): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) {
    return '';
  }
  const iso = date.toISOString();
  // Years outside 0000-9999 come out as ±YYYYYY, which the fixed-width format cannot hold.
  if (!/^\d{4}-/.test(iso)) {
    return '';
  }
  return `${iso.slice(0, 10)} ${iso.slice(11)}`;
}

/** Go's `time.Time.String()` for a UTC time, as ozzo renders it into date error messages. */
export function goTimeString(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${goFraction(ms)} +0000 UTC`;
}

/** Go's JSON encoding of a time.Time (RFC 3339 with trimmed fraction), as in error params. */
export function goTimeJson(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}${goFraction(ms)}Z`;
}

function goFraction(ms: number): string {
  const millis = ((ms % 1000) + 1000) % 1000;
  return millis === 0 ? '' : `.${String(millis).padStart(3, '0').replace(/0+$/, '')}`;
}

function parseZoneOffset(zone: string): number | null {
  if (zone === 'Z') {
    return 0;
  }
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) {
    return null;
  }
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
