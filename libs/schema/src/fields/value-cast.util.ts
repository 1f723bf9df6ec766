// Go's spf13/cast conversions, which PocketBase's PrepareValue methods use, for values that
// arrive from JSON or multipart bodies. None of them throws.

/** Postgres text and jsonb cannot hold U+0000, so it is dropped before it reaches a column. */
export function stripNul(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

/** Go's `strconv.FormatFloat(n, 'f', -1, 64)`: shortest digits, never an exponent. */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? '+Inf' : '-Inf';
  }
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) {
    return text;
  }
  const [, sign, intPart, fraction = '', exponentText] = match;
  const digits = intPart + fraction;
  const point = intPart.length + Number(exponentText);
  if (point <= 0) {
    return `${sign}0.${'0'.repeat(-point)}${digits}`;
  }
  if (point >= digits.length) {
    return sign + digits + '0'.repeat(point - digits.length);
  }
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Go's `fmt.Sprintf("%f", n)` (six decimals, no exponent), used in number error messages. */
export function formatGoFixed6(value: number): string {
  if (!Number.isFinite(value)) {
    return formatGoFloat(value);
  }
  if (Math.abs(value) < 1e21) {
    return value.toFixed(6);
  }
  // toFixed switches to exponent notation from 1e21; such values are integers anyway.
  return `${BigInt(value).toString()}.000000`;
}

/** `cast.ToString`: strings as they are, numbers and booleans printed, anything else "". */
export function castToString(raw: unknown): string {
  switch (typeof raw) {
    case 'string':
      return stripNul(raw);
    case 'number':
      return formatGoFloat(raw);
    case 'bigint':
      return raw.toString();
    case 'boolean':
      return raw ? 'true' : 'false';
    default:
      return '';
  }
}

// strconv.ParseFloat's decimal syntax (no surrounding spaces, no hex, no underscores).
const GO_FLOAT_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const GO_SPECIAL_FLOAT_PATTERN = /^([+-]?)(inf|infinity|nan)$/i;

/** `cast.ToFloat64`: numbers, booleans (1/0) and strconv-parsable strings; anything else 0. */
export function castToFloat(raw: unknown): number {
  switch (typeof raw) {
    case 'number':
      return raw;
    case 'boolean':
      return raw ? 1 : 0;
    case 'bigint':
      return Number(raw);
    case 'string': {
      if (GO_FLOAT_PATTERN.test(raw)) {
        const parsed = Number(raw);
        // ParseFloat reports out-of-range values as an error, which cast turns into 0.
        return Number.isFinite(parsed) ? parsed : 0;
      }
      const special = GO_SPECIAL_FLOAT_PATTERN.exec(raw);
      if (special) {
        if (special[2].toLowerCase() === 'nan') {
          return Number.NaN;
        }
        return special[1] === '-' ? -Infinity : Infinity;
      }
      return 0;
    }
    default:
      return 0;
  }
}

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/**
 * `cast.ToBool`: booleans, non-zero numbers and strconv.ParseBool's true spellings
 * ("1", "t", "true", "TRUE", "True"). Everything else, "on" included, is false.
 */
export function castToBool(raw: unknown): boolean {
  switch (typeof raw) {
    case 'boolean':
      return raw;
    case 'number':
      return raw !== 0 && !Number.isNaN(raw);
    case 'string':
      return GO_TRUE.has(raw);
    default:
      return false;
  }
}

/**
 * PocketBase's `list.ToUniqueStringSlice`: a string (or a JSON array of strings in a string, as
 * multipart forms send) or a list becomes a list of non-empty, unique strings in order.
 */
export function castToUniqueStrings(raw: unknown): string[] {
  let items: string[];
  if (raw === null || raw === undefined) {
    items = [];
  } else if (typeof raw === 'string') {
    items = raw === '' ? [] : (parseJsonStringArray(raw) ?? [raw]);
  } else if (Array.isArray(raw)) {
    items = raw.map(castToString);
  } else if (typeof raw === 'object') {
    items = [];
  } else {
    items = [castToString(raw)];
  }
  return uniqueNonEmpty(items.map(stripNul));
}

export function uniqueNonEmpty(items: readonly string[]): string[] {
  return [...new Set(items.filter((item) => item !== ''))];
}

function parseJsonStringArray(raw: string): string[] | null {
  if (!raw.includes('[')) {
    return null;
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    // Go unmarshals null items into "" and fails on any other non-string item.
    if (Array.isArray(parsed) && parsed.every((item) => item === null || typeof item === 'string')) {
      return parsed.map((item: string | null) => item ?? '');
    }
  } catch {
    // not JSON: the string is a single item
  }
  return null;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
