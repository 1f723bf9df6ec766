import { ViewQueryError } from './view-query.errors';

interface Token {
  kind: 'word' | 'semicolon' | 'other';
  /** Upper-cased for words. */
  text: string;
  start: number;
  end: number;
}

/** Keywords that can only mean a write (or a new table) somewhere in the query, e.g. in a CTE. */
const WRITE_KEYWORDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'INTO']);
const FIRST_KEYWORDS = new Set(['SELECT', 'WITH']);

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

const reject = (message: string): never => {
  throw new ViewQueryError(message);
};

/** End (exclusive) of a quoted run starting at `start`; `backslash` for E'' strings. */
function skipQuoted(sql: string, start: number, quote: string, backslash: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const char = sql[i];
    if (backslash && char === '\\') {
      i += 2;
    } else if (char === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return reject(`unterminated ${quote === '"' ? 'quoted identifier' : 'string'} starting at position ${start}`);
}

/**
 * A lexer for just enough Postgres SQL to see statement boundaries and keywords: it skips
 * strings ('…', E'…', $tag$…$tag$), quoted identifiers and comments (nested /* *\/ too), so a
 * `;` or `DELETE` inside them does not count.
 */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const char = sql[i];
    const start = i;
    if (char === '\0') reject('the query contains a NUL byte');
    if (/\s/.test(char)) {
      i++;
    } else if (char === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (char === '/' && sql[i + 1] === '*') {
      let depth = 0;
      while (i < sql.length) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else {
          i++;
        }
      }
      if (depth > 0) reject(`unterminated comment starting at position ${start}`);
    } else if (char === "'" || char === '"') {
      i = skipQuoted(sql, i, char, false);
      tokens.push({ kind: 'other', text: char, start, end: i });
    } else if (char === '$') {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 80));
      if (/[0-9]/.test(sql[i + 1] ?? '')) reject('query parameters ($1, $2, …) are not supported in a view');
      if (!tag) {
        i++;
        tokens.push({ kind: 'other', text: char, start, end: i });
        continue;
      }
      const close = sql.indexOf(tag[0], i + tag[0].length);
      if (close === -1) reject(`unterminated dollar-quoted string starting at position ${start}`);
      i = close + tag[0].length;
      tokens.push({ kind: 'other', text: '$', start, end: i });
    } else if (WORD_START.test(char)) {
      while (i < sql.length && WORD_PART.test(sql[i])) i++;
      const word = sql.slice(start, i);
      // E'…' is the one string form where a backslash escapes the quote.
      if ((word === 'E' || word === 'e') && sql[i] === "'") {
        i = skipQuoted(sql, i, "'", true);
        tokens.push({ kind: 'other', text: "E'", start, end: i });
      } else {
        tokens.push({ kind: 'word', text: word.toUpperCase(), start, end: i });
      }
    } else if (char === ';') {
      i++;
      tokens.push({ kind: 'semicolon', text: ';', start, end: i });
    } else {
      i++;
      tokens.push({ kind: 'other', text: char, start, end: i });
    }
  }
  return tokens;
}

/**
 * Checks that `query` is one read-only SELECT (or `WITH … SELECT`, or a parenthesised one) and
 * returns it trimmed, without trailing semicolons (PocketBase strips those too). Throws
 * `ViewQueryError` for several statements, data-modifying keywords (INSERT/UPDATE/DELETE/MERGE,
 * also inside CTEs, and SELECT … INTO), bind parameters and unterminated quotes or comments.
 *
 * This is the first of three guards; the query also only ever runs wrapped as a subquery
 * (`SELECT * FROM (<query>) …`, which cannot hold a second statement or a data-modifying CTE)
 * and, when probed, inside a read-only transaction.
 */
export function normalizeViewQuery(query: string): string {
  if (typeof query !== 'string') return reject('the query must be a string');
  const tokens = tokenize(query);
  let last = tokens.length - 1;
  while (last >= 0 && tokens[last].kind === 'semicolon') last--;
  if (last < 0) return reject('the query is empty');
  const body = tokens.slice(0, last + 1);
  if (body.some((token) => token.kind === 'semicolon')) reject('multiple statements are not supported');
  const first = body[0];
  if (!(first.kind === 'word' && FIRST_KEYWORDS.has(first.text)) && first.text !== '(') {
    reject('only SELECT queries are supported');
  }
  const write = body.find((token) => token.kind === 'word' && WRITE_KEYWORDS.has(token.text));
  if (write) {
    reject(
      write.text === 'INTO'
        ? 'SELECT … INTO is not supported'
        : `data-modifying statements are not supported (found ${write.text})`,
    );
  }
  return query.slice(first.start, body[last].end);
}
