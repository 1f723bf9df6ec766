import { FilterSyntaxError, FilterTooComplexError, FilterTooLongError } from '../errors/filter.errors';
import {
  type ComparisonNode,
  type ComparisonOperator,
  type FilterNode,
  FUNCTION_NAMES,
  type FunctionName,
  MACRO_NAMES,
  type MacroName,
  type Operand,
  type SimpleOperand,
} from './filter.ast';

/** PocketBase's limits (tools/search: MaxFilterLength, DefaultFilterExprLimit). */
export const MAX_FILTER_LENGTH = 3500;
export const MAX_FILTER_EXPRESSIONS = 200;
/** Nesting guard: parentheses deeper than this are refused instead of risking the stack. */
export const MAX_FILTER_DEPTH = 64;
/** PocketBase caps strftime at 10 arguments; geoDistance takes exactly 4. */
const MAX_FUNCTION_ARGS = 10;

type TokenKind = 'ident' | 'text' | 'number' | 'op' | 'join' | 'lparen' | 'rparen' | 'comma' | 'eof';
interface Token {
  kind: TokenKind;
  value: string;
  pos: number;
}

const SIGN_OPS = new Set(['=', '!=', '>', '>=', '<', '<=', '~', '!~']);
const MACROS = new Set<string>(MACRO_NAMES);
const FUNCTIONS = new Set<string>(FUNCTION_NAMES);
// fexpr's identifier rule: optional @/#/_ prefix, then word chars, dots and colons, ending in a word char.
const IDENTIFIER_RE = /^[@#_]?[\w.:]*\w$/;
const NUMBER_RE = /^-?\d+(\.\d+)?$/;

const isWs = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentStart = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 64 /* @ */ || c === 35; /* # */
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c) || c === 46 /* . */ || c === 58; /* : */
const isSignChar = (c: number) => c === 61 || c === 63 || c === 33 || c === 62 || c === 60 || c === 126;

function describe(token: Token): string {
  if (token.kind === 'eof') return 'end of input';
  const shown = token.value.length > 20 ? `${token.value.slice(0, 20)}…` : token.value;
  return JSON.stringify(shown);
}

/** Splits the text into tokens; single pass, no backtracking, so its cost is linear in the input. */
function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  const n = input.length;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (isWs(c)) {
      i++;
      continue;
    }
    if (c === 47 && input.charCodeAt(i + 1) === 47) {
      // `// comment` runs to the end of the line
      while (i < n && input.charCodeAt(i) !== 10) i++;
      continue;
    }
    const start = i;
    if (c === 40) {
      tokens.push({ kind: 'lparen', value: '(', pos: i++ });
    } else if (c === 41) {
      tokens.push({ kind: 'rparen', value: ')', pos: i++ });
    } else if (c === 44) {
      tokens.push({ kind: 'comma', value: ',', pos: i++ });
    } else if (c === 39 || c === 34) {
      // quoted text: only `\<quote>` is an escape (as in fexpr); other backslashes stay literal
      i++;
      let out = '';
      let closed = false;
      let chunk = i;
      while (i < n) {
        const d = input.charCodeAt(i);
        if (d === 92 && input.charCodeAt(i + 1) === c) {
          out += `${input.slice(chunk, i)}${input[i + 1]}`;
          i += 2;
          chunk = i;
          continue;
        }
        if (d === c) {
          out += input.slice(chunk, i);
          closed = true;
          i++;
          break;
        }
        i++;
      }
      if (!closed) throw new FilterSyntaxError(start, `a closing ${input[start]} quote`, 'end of input');
      tokens.push({ kind: 'text', value: out, pos: start });
    } else if (isDigit(c) || (c === 45 && isDigit(input.charCodeAt(i + 1)))) {
      i++;
      while (i < n && (isDigit(input.charCodeAt(i)) || input.charCodeAt(i) === 46)) i++;
      const raw = input.slice(start, i);
      if (!NUMBER_RE.test(raw)) throw new FilterSyntaxError(start, 'a number such as 12 or -1.5', JSON.stringify(raw));
      tokens.push({ kind: 'number', value: raw, pos: start });
    } else if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(input.charCodeAt(i))) i++;
      const raw = input.slice(start, i);
      if (!IDENTIFIER_RE.test(raw)) throw new FilterSyntaxError(start, 'a valid identifier', JSON.stringify(raw));
      tokens.push({ kind: 'ident', value: raw, pos: start });
    } else if (isSignChar(c)) {
      i++;
      while (i < n && isSignChar(input.charCodeAt(i))) i++;
      const raw = input.slice(start, i);
      const bare = raw.startsWith('?') ? raw.slice(1) : raw;
      if (!SIGN_OPS.has(bare)) {
        throw new FilterSyntaxError(
          start,
          'a comparison operator (= != > >= < <= ~ !~ or a ?-form)',
          JSON.stringify(raw),
        );
      }
      tokens.push({ kind: 'op', value: raw, pos: start });
    } else if (c === 38 || c === 124) {
      i++;
      while (i < n && (input.charCodeAt(i) === 38 || input.charCodeAt(i) === 124)) i++;
      const raw = input.slice(start, i);
      if (raw !== '&&' && raw !== '||') throw new FilterSyntaxError(start, '&& or ||', JSON.stringify(raw));
      tokens.push({ kind: 'join', value: raw, pos: start });
    } else {
      const ch = String.fromCodePoint(input.codePointAt(i) ?? c);
      throw new FilterSyntaxError(start, 'an operand, operator or parenthesis', JSON.stringify(ch));
    }
  }
  tokens.push({ kind: 'eof', value: '', pos: n });
  return tokens;
}

class Parser {
  private index = 0;
  private comparisons = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    if (this.peek().kind === 'eof') throw new FilterSyntaxError(0, 'an expression', 'an empty filter');
    const node = this.parseOr(0);
    const rest = this.peek();
    if (rest.kind !== 'eof') throw new FilterSyntaxError(rest.pos, '&&, || or the end of the filter', describe(rest));
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.tokens[this.index] as Token;
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  private parseOr(depth: number): FilterNode {
    const items = [this.parseAnd(depth)];
    while (this.peek().kind === 'join' && this.peek().value === '||') {
      this.next();
      items.push(this.parseAnd(depth));
    }
    return items.length === 1 ? (items[0] as FilterNode) : { type: 'logical', op: '||', items };
  }

  private parseAnd(depth: number): FilterNode {
    const items = [this.parsePrimary(depth)];
    while (this.peek().kind === 'join' && this.peek().value === '&&') {
      this.next();
      items.push(this.parsePrimary(depth));
    }
    return items.length === 1 ? (items[0] as FilterNode) : { type: 'logical', op: '&&', items };
  }

  private parsePrimary(depth: number): FilterNode {
    const token = this.peek();
    if (token.kind === 'lparen') {
      if (depth >= MAX_FILTER_DEPTH) {
        throw new FilterTooComplexError(`Parentheses are nested deeper than ${MAX_FILTER_DEPTH} levels.`);
      }
      this.next();
      if (this.peek().kind === 'rparen') throw new FilterSyntaxError(this.peek().pos, 'an expression', '")"');
      const inner = this.parseOr(depth + 1);
      const close = this.next();
      if (close.kind !== 'rparen') throw new FilterSyntaxError(close.pos, '")"', describe(close));
      return inner;
    }
    return this.parseComparison();
  }

  private parseComparison(): ComparisonNode {
    const left = this.parseOperand();
    const opToken = this.next();
    if (opToken.kind !== 'op') {
      throw new FilterSyntaxError(
        opToken.pos,
        'a comparison operator (= != > >= < <= ~ !~ or a ?-form)',
        describe(opToken),
      );
    }
    const right = this.parseOperand();
    if (++this.comparisons > MAX_FILTER_EXPRESSIONS) {
      throw new FilterTooComplexError(`The filter has more than ${MAX_FILTER_EXPRESSIONS} expressions.`);
    }
    const any = opToken.value.startsWith('?');
    const op = (any ? opToken.value.slice(1) : opToken.value) as ComparisonOperator;
    return { type: 'comparison', op, any, left, right, pos: left.pos };
  }

  private parseOperand(): Operand {
    const token = this.peek();
    if (token.kind === 'ident' && this.tokens[this.index + 1]?.kind === 'lparen') {
      const after = this.tokens[this.index + 1] as Token;
      // a call only when `(` follows the name directly, as in `strftime(...)`
      if (after.pos === token.pos + token.value.length) return this.parseCall();
    }
    return this.parseSimpleOperand('an operand (field, text, number, true, false, null, macro or function)');
  }

  private parseSimpleOperand(expected: string): SimpleOperand {
    const token = this.next();
    switch (token.kind) {
      case 'text':
        return { type: 'text', value: token.value, pos: token.pos };
      case 'number':
        return { type: 'number', value: Number(token.value), pos: token.pos };
      case 'ident': {
        const lower = token.value.toLowerCase();
        if (lower === 'true' || lower === 'false') return { type: 'bool', value: lower === 'true', pos: token.pos };
        if (lower === 'null') return { type: 'null', pos: token.pos };
        if (MACROS.has(token.value)) return { type: 'macro', name: token.value as MacroName, pos: token.pos };
        if (token.value.startsWith('@') && !/^@(request|collection)\./.test(token.value)) {
          throw new FilterSyntaxError(token.pos, `a known macro (${MACRO_NAMES.join(' ')})`, describe(token));
        }
        return { type: 'field', name: token.value, pos: token.pos };
      }
      default:
        throw new FilterSyntaxError(token.pos, expected, describe(token));
    }
  }

  private parseCall(): Operand {
    const nameToken = this.next();
    if (!FUNCTIONS.has(nameToken.value)) {
      throw new FilterSyntaxError(
        nameToken.pos,
        `a known function (${FUNCTION_NAMES.join(', ')})`,
        describe(nameToken),
      );
    }
    this.next(); // (
    const args: SimpleOperand[] = [];
    if (this.peek().kind !== 'rparen') {
      for (;;) {
        if (args.length >= MAX_FUNCTION_ARGS) {
          throw new FilterTooComplexError(`A function call takes at most ${MAX_FUNCTION_ARGS} arguments.`);
        }
        args.push(this.parseSimpleOperand('a function argument (field, text, number or macro)'));
        const sep = this.next();
        if (sep.kind === 'rparen') break;
        if (sep.kind !== 'comma') throw new FilterSyntaxError(sep.pos, '"," or ")"', describe(sep));
      }
    } else {
      this.next();
    }
    return { type: 'call', name: nameToken.value as FunctionName, args, pos: nameToken.pos };
  }
}

/**
 * Parses a PocketBase filter/rule expression into an AST. Throws `FilterTooLongError`,
 * `FilterTooComplexError` or `FilterSyntaxError` (with the position and what was expected).
 */
export function parseFilter(input: string): FilterNode {
  const cached = parsedFilters.get(input);
  if (cached !== undefined) {
    // Most recently used last, so the oldest entry is the first one the limit drops.
    parsedFilters.delete(input);
    parsedFilters.set(input, cached);
    return cached;
  }
  if (input.length > MAX_FILTER_LENGTH) throw new FilterTooLongError(input.length, MAX_FILTER_LENGTH);
  const node = deepFreeze(new Parser(tokenize(input)).parse());
  if (parsedFilters.size >= PARSED_FILTERS_LIMIT) parsedFilters.delete(parsedFilters.keys().next().value as string);
  parsedFilters.set(input, node);
  return node;
}

/**
 * Parsed ASTs by text, least recently used first: rules and the same few client filters come
 * back on every request, and parsing is pure (resolution, which depends on the collection and
 * the request, happens later). Only successful parses are kept; the ASTs are frozen, as every
 * caller shares them.
 */
const parsedFilters = new Map<string, FilterNode>();
/** Distinct texts kept (each at most MAX_FILTER_LENGTH characters). */
export const PARSED_FILTERS_LIMIT = 1000;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
