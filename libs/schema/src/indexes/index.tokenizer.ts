import { IndexParseError } from './index.errors';

/** How an identifier was written; `bare` ones may be keywords. */
export type IdentifierQuote = 'bare' | '`' | '"' | '[' | "'";

export type IndexToken =
  | { kind: 'ident'; value: string; quote: IdentifierQuote; start: number; end: number }
  | { kind: 'string'; value: string; start: number; end: number }
  | { kind: 'number'; value: string; start: number; end: number }
  | { kind: 'punct'; value: '(' | ')' | ',' | '.' | '-' | '+'; start: number; end: number }
  | { kind: 'op'; value: '=' | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>='; start: number; end: number }
  | { kind: 'eof'; start: number; end: number };

/** Longer statements are refused outright: no real index needs more, and it bounds the work. */
export const MAX_INDEX_SQL_LENGTH = 4096;

const BARE_START = /[A-Za-z_]/;
const BARE_PART = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;
const WHITESPACE = /[ \t\r\n\f\v]/;

const fail = (message: string, position: number): never => {
  throw new IndexParseError('invalid_syntax', message, position);
};

/** Reads a quoted run that ends at `close`, where a doubled `close` stands for one (SQL style). */
function readQuoted(sql: string, start: number, close: string, escapable: boolean): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < sql.length) {
    const char = sql[i];
    if (char === close) {
      if (escapable && sql[i + 1] === close) {
        value += close;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += char;
    i++;
  }
  return fail(`Unterminated ${sql[start]}…${close} quote starting at position ${start}.`, start);
}

/**
 * Splits a SQLite CREATE INDEX statement into tokens. Everything outside the small grammar the
 * parser accepts is refused here already: comments, semicolons, NUL bytes and any other
 * character, so nothing can smuggle a second statement past the parser.
 */
export function tokenizeIndex(sql: string): IndexToken[] {
  if (sql.length > MAX_INDEX_SQL_LENGTH) {
    fail(`The statement is longer than ${MAX_INDEX_SQL_LENGTH} characters.`, MAX_INDEX_SQL_LENGTH);
  }
  // Checked up front so no quoted run can carry one either: Postgres text cannot hold NUL.
  const nul = sql.indexOf('\0');
  if (nul !== -1) fail(`NUL byte at position ${nul}.`, nul);
  const tokens: IndexToken[] = [];
  let i = 0;
  while (i < sql.length) {
    const char = sql[i];
    const start = i;
    if (WHITESPACE.test(char)) {
      i++;
    } else if (char === ';') {
      fail(`Semicolons are not allowed (position ${i}): one CREATE INDEX statement only.`, i);
    } else if ((char === '-' && sql[i + 1] === '-') || (char === '/' && sql[i + 1] === '*')) {
      fail(`Comments are not allowed (position ${i}).`, i);
    } else if (char === '`' || char === '"') {
      const { value, end } = readQuoted(sql, i, char, true);
      tokens.push({ kind: 'ident', value, quote: char, start, end });
      i = end;
    } else if (char === '[') {
      // SQLite's [name] has no escape: the first `]` closes it.
      const { value, end } = readQuoted(sql, i, ']', false);
      tokens.push({ kind: 'ident', value, quote: '[', start, end });
      i = end;
    } else if (char === "'") {
      const { value, end } = readQuoted(sql, i, "'", true);
      tokens.push({ kind: 'string', value, start, end });
      i = end;
    } else if (BARE_START.test(char)) {
      while (i < sql.length && BARE_PART.test(sql[i])) i++;
      tokens.push({ kind: 'ident', value: sql.slice(start, i), quote: 'bare', start, end: i });
    } else if (DIGIT.test(char) || (char === '.' && DIGIT.test(sql[i + 1] ?? ''))) {
      i = readNumber(sql, i);
      tokens.push({ kind: 'number', value: sql.slice(start, i), start, end: i });
    } else if ('(),.-+'.includes(char)) {
      tokens.push({ kind: 'punct', value: char as '(' | ')' | ',' | '.' | '-' | '+', start, end: i + 1 });
      i++;
    } else if ('=!<>'.includes(char)) {
      const two = sql.slice(i, i + 2);
      if (two === '==' || two === '!=' || two === '<>' || two === '<=' || two === '>=') {
        tokens.push({ kind: 'op', value: two, start, end: i + 2 });
        i += 2;
      } else if (char === '!') {
        fail(`Unexpected "!" at position ${i}.`, i);
      } else {
        tokens.push({ kind: 'op', value: char as '=' | '<' | '>', start, end: i + 1 });
        i++;
      }
    } else {
      fail(`Unexpected character ${JSON.stringify(char)} at position ${i}.`, i);
    }
  }
  tokens.push({ kind: 'eof', start: sql.length, end: sql.length });
  return tokens;
}

/** Decimal literal: digits, optional fraction, optional exponent. Hex and blobs are not supported. */
function readNumber(sql: string, start: number): number {
  let i = start;
  while (DIGIT.test(sql[i] ?? '')) i++;
  if (sql[i] === '.') {
    i++;
    while (DIGIT.test(sql[i] ?? '')) i++;
  }
  if (sql[i] === 'e' || sql[i] === 'E') {
    let j = i + 1;
    if (sql[j] === '+' || sql[j] === '-') j++;
    if (!DIGIT.test(sql[j] ?? '')) fail(`Malformed number at position ${start}.`, start);
    while (DIGIT.test(sql[j] ?? '')) j++;
    i = j;
  }
  // `1abc` or `0x1F`: a number glued to letters is not a number SQLite and Postgres agree on.
  if (BARE_PART.test(sql[i] ?? '')) fail(`Malformed number at position ${start}.`, start);
  return i;
}
