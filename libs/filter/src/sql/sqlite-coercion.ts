// PocketBase runs on SQLite, whose comparisons coerce by "affinity". These helpers reproduce the
// coercions on the JavaScript side (for bind parameters and the in-memory evaluator) so that the
// SQL and the evaluator agree with each other and with PocketBase.

/**
 * What SQLite treats as a well-formed number when applying NUMERIC affinity. The digit counts are
 * capped so that the same pattern, used inside Postgres, can never overflow a double precision cast.
 */
export const NUMERIC_TEXT_PATTERN = '^\\s*[-+]?([0-9]{1,200}(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]{1,2})?\\s*$';
const NUMERIC_TEXT_RE = new RegExp(NUMERIC_TEXT_PATTERN);

/**
 * Text compared with a number column: a numeric-looking text becomes that number; '' becomes NULL
 * (PocketBase treats '' like NULL in equality); any other text sorts after every number, which
 * +Infinity reproduces without changing the SQL.
 */
export function textToComparableNumber(text: string): number | null {
  if (text === '') return null;
  if (NUMERIC_TEXT_RE.test(text)) return Number(text);
  return Number.POSITIVE_INFINITY;
}

/** Math functions (geoDistance) read non-numeric text as 0, as SQLite does. */
export function textToMathNumber(text: string): number {
  return NUMERIC_TEXT_RE.test(text) ? Number(text) : 0;
}

/** SQLite's rendering of a REAL as TEXT (literal numbers are REALs in PocketBase): 5 -> "5.0". */
export function realToText(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? 'Inf' : value < 0 ? '-Inf' : '';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return `${value}.0`;
  return String(Number(value.toPrecision(15)));
}

/** Postgres' text output of a double precision (shortest exact digits, exponent outside 1e-4..1e15). */
export function pgFloatText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent >= -4 && exponent < 15) {
    const plain = String(value);
    if (!plain.includes('e')) return plain;
  }
  const [mantissa, exp] = value.toExponential().split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exp.replace(/^[-+]/, '').padStart(2, '0')}`;
}

/** `~` value wrapping: `%value%` with `\ % _` escaped, unless the value has an unescaped `%` of its own. */
export function wrapLikePattern(value: string): string {
  if (containsUnescaped(value, '%')) return value;
  return `%${escapeUnescaped(value)}%`;
}

function containsUnescaped(text: string, ch: string): boolean {
  let prev = '';
  for (const c of text) {
    if (c === ch && prev !== '\\') return true;
    // a `\\` pair is a complete escape and does not escape the next character
    prev = c === '\\' && prev === '\\' ? '' : c;
  }
  return false;
}

function escapeUnescaped(text: string): string {
  const chars = Array.from(text);
  const out: string[] = [];
  // walk backwards like PocketBase: a special character already preceded by `\` is left alone
  for (let i = chars.length - 1; i >= 0; i--) {
    const c = chars[i] as string;
    out.push(c);
    if (c === '\\' || c === '%' || c === '_') {
      if (i > 0 && chars[i - 1] === '\\') {
        out.push('\\');
        i--;
      } else {
        out.push('\\');
      }
    }
  }
  return out.reverse().join('');
}

/**
 * The bind value for a `~` parameter: the wrapped pattern, or null when the pattern ends in a lone
 * escape (Postgres would raise an error; SQLite never matches such a pattern).
 */
export function likeParamValue(value: string): string | null {
  const pattern = wrapLikePattern(value);
  let trailing = 0;
  for (let i = pattern.length - 1; i >= 0 && pattern[i] === '\\'; i--) trailing++;
  return trailing % 2 === 1 ? null : pattern;
}

/** Postgres text cannot hold NUL; a value containing one is bound with U+FFFD in its place. */
export function sanitizeText(value: string): string {
  return value.includes('\u0000') ? value.split('\u0000').join('\uFFFD') : value;
}

/** ASCII-only case folding, as SQLite's LIKE and Postgres' ILIKE under the "C" collation do. */
function foldAscii(c: string): string {
  return c >= 'A' && c <= 'Z' ? String.fromCharCode(c.charCodeAt(0) + 32) : c;
}

type LikeToken = { kind: 'any' } | { kind: 'one' } | { kind: 'char'; ch: string };

/**
 * SQL `ILIKE … ESCAPE '\'` under the "C" collation, evaluated in JavaScript. A wildcard matcher with
 * single-star backtracking: O(text × pattern) at worst, so hostile patterns cannot hang it.
 */
export function likeMatches(value: string, pattern: string): boolean {
  const tokens: LikeToken[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '\\') {
      const escaped = chars[++i];
      if (escaped === undefined) return false;
      tokens.push({ kind: 'char', ch: foldAscii(escaped) });
    } else if (c === '%') tokens.push({ kind: 'any' });
    else if (c === '_') tokens.push({ kind: 'one' });
    else tokens.push({ kind: 'char', ch: foldAscii(c) });
  }
  const text = Array.from(value, foldAscii);
  let i = 0;
  let j = 0;
  let starToken = -1;
  let starText = 0;
  while (i < text.length) {
    const token = tokens[j];
    if (token && (token.kind === 'one' || (token.kind === 'char' && token.ch === text[i]))) {
      i++;
      j++;
    } else if (token?.kind === 'any') {
      starToken = j++;
      starText = i;
    } else if (starToken >= 0) {
      j = starToken + 1;
      i = ++starText;
    } else {
      return false;
    }
  }
  while (tokens[j]?.kind === 'any') j++;
  return j === tokens.length;
}

/** Byte-order (C collation) comparison of two strings, as SQLite's BINARY collation does. */
export function compareText(a: string, b: string): number {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ba, bb);
}
