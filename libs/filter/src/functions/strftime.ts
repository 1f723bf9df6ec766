import { FilterResolveError } from '../errors/filter.errors';

// strftime(format, time-value, modifiers...) after SQLite, limited to what has an exact Postgres
// equivalent. The format and modifiers are literals translated here and bound as parameters, so
// the SQL text does not depend on them.

/** SQLite time values this library reads: `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z]`. */
export const TIME_VALUE_PATTERN =
  '^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(?:[ T]([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9](?:\\.[0-9]{1,9})?))?)?Z?$';
const TIME_VALUE_RE = new RegExp(TIME_VALUE_PATTERN);

const CODES: Record<string, { pg: string; js: (d: Date) => string }> = {
  d: { pg: 'DD', js: (d) => pad(d.getUTCDate(), 2) },
  f: { pg: 'SS.MS', js: (d) => `${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}` },
  H: { pg: 'HH24', js: (d) => pad(d.getUTCHours(), 2) },
  j: { pg: 'DDD', js: (d) => pad(dayOfYear(d), 3) },
  m: { pg: 'MM', js: (d) => pad(d.getUTCMonth() + 1, 2) },
  M: { pg: 'MI', js: (d) => pad(d.getUTCMinutes(), 2) },
  S: { pg: 'SS', js: (d) => pad(d.getUTCSeconds(), 2) },
  Y: { pg: 'YYYY', js: (d) => pad(d.getUTCFullYear(), 4) },
};

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function dayOfYear(d: Date): number {
  const start = new Date(0);
  start.setUTCFullYear(d.getUTCFullYear(), 0, 1);
  return Math.floor((d.getTime() - start.getTime()) / 86_400_000) + 1;
}

type FormatPart = { code: string } | { text: string };

function parseFormat(format: string): FormatPart[] {
  const parts: FormatPart[] = [];
  let text = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (c !== '%') {
      text += c;
      continue;
    }
    const code = format[++i];
    if (code === '%') {
      text += '%';
      continue;
    }
    if (code === undefined || !CODES[code]) {
      throw new FilterResolveError(
        `strftime: unsupported format code "%${code ?? ''}" (supported: ${Object.keys(CODES)
          .map((k) => `%${k}`)
          .join(' ')} %%).`,
      );
    }
    if (text) parts.push({ text });
    text = '';
    parts.push({ code });
  }
  if (text) parts.push({ text });
  return parts;
}

/** The Postgres `to_char` pattern for a SQLite strftime format (literal text double-quoted). */
export function strftimeToCharPattern(format: string): string {
  return parseFormat(format)
    .map((p) => ('code' in p ? (CODES[p.code] as { pg: string }).pg : `"${p.text.replace(/["\\]/g, '\\$&')}"`))
    .join('');
}

export function formatStrftime(format: string, date: Date): string {
  return parseFormat(format)
    .map((p) => ('code' in p ? (CODES[p.code] as { js: (d: Date) => string }).js(date) : p.text))
    .join('');
}

export interface StrftimeModifier {
  /** `date_trunc` unit, or null. */
  trunc: 'day' | 'month' | 'year' | null;
  /** A Postgres interval text ('0' for none). */
  interval: string;
  amount: number;
  unit: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | null;
}

const MODIFIER_RE = /^\s*([+-]?\d{1,4})\s+(year|month|day|hour|minute|second)s?\s*$/i;
const START_RE = /^\s*start\s+of\s+(day|month|year)\s*$/i;

export function parseStrftimeModifier(text: string): StrftimeModifier {
  const start = START_RE.exec(text);
  if (start) {
    return { trunc: (start[1] as string).toLowerCase() as 'day', interval: '0', amount: 0, unit: null };
  }
  const add = MODIFIER_RE.exec(text);
  if (add) {
    const amount = Number(add[1]);
    const unit = (add[2] as string).toLowerCase() as StrftimeModifier['unit'] & string;
    return { trunc: null, interval: `${amount} ${unit}`, amount, unit };
  }
  throw new FilterResolveError(
    `strftime: unsupported modifier "${text}" (supported: "±N days|hours|minutes|seconds|months|years", "start of day|month|year").`,
  );
}

/** Parses a time value like SQLite (a day past the month's end rolls over); null when it is not one. */
export function parseTimeValue(text: string): Date | null {
  const m = TIME_VALUE_RE.exec(text);
  if (!m) return null;
  const seconds = Number(m[6] ?? '0');
  const date = new Date(Date.UTC(2000, 0, 1));
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  date.setUTCHours(
    Number(m[4] ?? '0'),
    Number(m[5] ?? '0'),
    Math.floor(seconds),
    Math.floor((seconds % 1) * 1000 + 1e-6),
  );
  return date;
}

/** Applies a modifier like Postgres does (month arithmetic clamps to the month's last day). */
export function applyStrftimeModifier(date: Date, modifier: StrftimeModifier): Date {
  const d = new Date(date.getTime());
  if (modifier.trunc) {
    d.setUTCHours(0, 0, 0, 0);
    if (modifier.trunc !== 'day') d.setUTCDate(1);
    if (modifier.trunc === 'year') d.setUTCMonth(0);
    return d;
  }
  switch (modifier.unit) {
    case 'year':
    case 'month': {
      const months = modifier.unit === 'year' ? modifier.amount * 12 : modifier.amount;
      const day = d.getUTCDate();
      d.setUTCDate(1);
      d.setUTCMonth(d.getUTCMonth() + months);
      const last = new Date(d.getTime());
      last.setUTCMonth(last.getUTCMonth() + 1, 0);
      d.setUTCDate(Math.min(day, last.getUTCDate()));
      return d;
    }
    case 'day':
      return new Date(d.getTime() + modifier.amount * 86_400_000);
    case 'hour':
      return new Date(d.getTime() + modifier.amount * 3_600_000);
    case 'minute':
      return new Date(d.getTime() + modifier.amount * 60_000);
    case 'second':
      return new Date(d.getTime() + modifier.amount * 1000);
    default:
      return d;
  }
}

/** Postgres: text → timestamp (NULL when not a time value), rolling over like `parseTimeValue`. */
export function timeValueSql(text: string): string {
  return `(SELECT timestamp '2000-01-01 00:00:00' + make_interval(years => m[1]::int - 2000, months => m[2]::int - 1, days => m[3]::int - 1, hours => COALESCE(m[4], '0')::int, mins => COALESCE(m[5], '0')::int, secs => COALESCE(m[6], '0')::double precision) FROM regexp_match(${text}, '${TIME_VALUE_PATTERN}') AS r(m))`;
}

/** Coordinates smaller than this (in degrees) count as 0 in geoDistance, in SQL and in memory alike. */
export const GEO_EPSILON_DEGREES = 1e-9;

/** Great-circle distance in km, as PocketBase's geoDistance (clamped so rounding cannot leave acos' domain). */
export function geoDistanceKm(lonA: number, latA: number, lonB: number, latB: number): number {
  const rad = (x: number) => (Math.abs(x) < GEO_EPSILON_DEGREES ? 0 : (x * Math.PI) / 180);
  const v =
    Math.cos(rad(latA)) * Math.cos(rad(latB)) * Math.cos(rad(lonB) - rad(lonA)) +
    Math.sin(rad(latA)) * Math.sin(rad(latB));
  return 6371 * Math.acos(Math.min(1, Math.max(-1, v)));
}
