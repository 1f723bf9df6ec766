import { IndexParseError } from './index.errors';
import {
  INDEX_FUNCTIONS,
  type IndexCollation,
  type IndexColumnRef,
  type IndexCompareOperator,
  type IndexCondition,
  type IndexFunction,
  type IndexItem,
  type IndexJsonPath,
  type IndexOperand,
  type IndexValueExpr,
  type ParsedIndex,
} from './index.model';
import { type IndexToken, tokenizeIndex } from './index.tokenizer';

/** Nesting deeper than this is refused, so hostile input cannot exhaust the stack. */
const MAX_CONDITION_DEPTH = 32;

/** Bare words that can never be a column name where a column is expected. */
const RESERVED = new Set([
  'and',
  'or',
  'not',
  'is',
  'null',
  'true',
  'false',
  'collate',
  'asc',
  'desc',
  'where',
  'on',
  'create',
  'index',
  'unique',
]);

const COLLATIONS: readonly IndexCollation[] = ['NOCASE', 'BINARY', 'RTRIM'];

const JSON_PATH_KEY = /^[A-Za-z0-9_]+$/;

function describe(token: IndexToken): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the statement';
    case 'string':
      return `string '${token.value}'`;
    case 'ident':
      return token.quote === 'bare' ? `"${token.value}"` : `identifier ${token.quote}${token.value}`;
    default:
      return `"${token.value}"`;
  }
}

class IndexParser {
  private position = 0;

  constructor(private readonly tokens: IndexToken[]) {}

  parse(): ParsedIndex {
    this.expectKeyword('create');
    const unique = this.acceptKeyword('unique');
    this.expectKeyword('index');
    let ifNotExists = false;
    if (this.acceptKeyword('if')) {
      this.expectKeyword('not');
      this.expectKeyword('exists');
      ifNotExists = true;
    }
    const name = this.name('index name');
    this.expectKeyword('on');
    const tableToken = this.peek();
    const table = this.name('table name');
    this.expectPunct('(');
    const items: IndexItem[] = [this.item()];
    while (this.acceptPunct(',')) items.push(this.item());
    this.expectPunct(')');
    const where = this.acceptKeyword('where') ? this.condition(0) : null;
    const rest = this.peek();
    if (rest.kind !== 'eof') this.fail(`Unexpected ${describe(rest)} after the index definition.`, rest);
    return {
      name,
      unique,
      ifNotExists,
      table,
      tableSpan: { start: tableToken.start, end: tableToken.end },
      items,
      where,
    };
  }

  // Index and table names: any identifier quoting, or a string as SQLite also accepts there.
  private name(what: string): string {
    const token = this.next();
    if (token.kind !== 'ident' && token.kind !== 'string')
      this.fail(`Expected the ${what}, got ${describe(token)}.`, token);
    const value = token.kind === 'ident' || token.kind === 'string' ? token.value : '';
    if (token.kind === 'ident' && token.quote === 'bare' && RESERVED.has(value.toLowerCase())) {
      this.fail(`Expected the ${what}, got keyword ${value.toUpperCase()}.`, token);
    }
    if (value.trim() === '') this.fail(`The ${what} is empty.`, token);
    if (this.peekPunct('.')) this.fail(`Schema-qualified names are not supported (${what}).`, this.peek());
    return value;
  }

  private item(): IndexItem {
    const expr = this.valueExpr(true);
    if (!expr) {
      const token = this.peek();
      return this.fail(`Expected a column or lower()/upper()/json_extract() call, got ${describe(token)}.`, token);
    }
    let collate: IndexCollation | null = null;
    if (this.acceptKeyword('collate')) {
      const token = this.next();
      const upper = token.kind === 'ident' ? token.value.toUpperCase() : '';
      const found = COLLATIONS.find((collation) => collation === upper);
      if (!found) this.fail(`Unsupported collation ${describe(token)}: use NOCASE, BINARY or RTRIM.`, token);
      collate = found ?? null;
    }
    let order: IndexItem['order'] = null;
    if (this.acceptKeyword('asc')) order = 'ASC';
    else if (this.acceptKeyword('desc')) order = 'DESC';
    return { expr, collate, order };
  }

  /** A column or a whitelisted function call on one column; null when the next token is neither. */
  private valueExpr(required: boolean): IndexValueExpr | null {
    const token = this.peek();
    if (token.kind !== 'ident') return null;
    if (token.quote === 'bare' && this.tokenAt(1, '(')) {
      return this.call();
    }
    if (token.quote === 'bare' && RESERVED.has(token.value.toLowerCase())) {
      if (required) this.fail(`Expected a column, got keyword ${token.value.toUpperCase()}.`, token);
      return null;
    }
    return this.column();
  }

  private column(): IndexColumnRef {
    const token = this.next();
    if (token.kind !== 'ident') return this.fail(`Expected a column, got ${describe(token)}.`, token);
    if (token.value.trim() === '') this.fail('Empty column name.', token);
    if (this.peekPunct('.')) this.fail('Qualified column names (table.column) are not supported.', this.peek());
    return { kind: 'column', name: token.value, span: { start: token.start, end: token.end } };
  }

  private call(): IndexValueExpr {
    const nameToken = this.next();
    const fnName = nameToken.kind === 'ident' ? nameToken.value.toLowerCase() : '';
    const fn = INDEX_FUNCTIONS.find((known) => known === fnName);
    if (!fn) {
      return this.fail(
        `Unsupported function ${describe(nameToken)}(): only ${INDEX_FUNCTIONS.join('(), ')}() are allowed.`,
        nameToken,
      );
    }
    this.expectPunct('(');
    const column = this.column();
    let path: IndexJsonPath | null = null;
    if (fn === 'json_extract') {
      this.expectPunct(',');
      path = this.jsonPath();
    }
    this.expectPunct(')');
    return { kind: 'call', fn: fn satisfies IndexFunction, column, path };
  }

  // SQLite reads "…" as a string when no column has that name; PocketBase's own examples rely on
  // it for json_extract paths, so both quotes are accepted here (and only here).
  private jsonPath(): IndexJsonPath {
    const token = this.next();
    const raw = token.kind === 'string' || (token.kind === 'ident' && token.quote === '"') ? token.value : null;
    if (raw === null) return this.fail(`Expected a JSON path such as '$.key', got ${describe(token)}.`, token);
    if (!raw.startsWith('$')) this.fail(`JSON paths start with "$" (got '${raw}').`, token);
    const path: IndexJsonPath = [];
    let rest = raw.slice(1);
    while (rest.length > 0) {
      const member = /^\.([A-Za-z0-9_]+)/.exec(rest);
      const element = /^\[(\d{1,9})\]/.exec(rest);
      if (member && JSON_PATH_KEY.test(member[1])) {
        path.push(member[1]);
        rest = rest.slice(member[0].length);
      } else if (element) {
        path.push(Number(element[1]));
        rest = rest.slice(element[0].length);
      } else {
        return this.fail(
          `Unsupported JSON path '${raw}': use $.key, $.a.b or $.list[0] with keys of [A-Za-z0-9_].`,
          token,
        );
      }
    }
    return path;
  }

  private condition(depth: number): IndexCondition {
    if (depth > MAX_CONDITION_DEPTH) this.fail('The WHERE condition is nested too deeply.', this.peek());
    let left = this.conjunction(depth);
    while (this.acceptKeyword('or')) left = { kind: 'or', left, right: this.conjunction(depth) };
    return left;
  }

  private conjunction(depth: number): IndexCondition {
    let left = this.negation(depth);
    while (this.acceptKeyword('and')) left = { kind: 'and', left, right: this.negation(depth) };
    return left;
  }

  private negation(depth: number): IndexCondition {
    if (this.acceptKeyword('not')) {
      if (depth + 1 > MAX_CONDITION_DEPTH) this.fail('The WHERE condition is nested too deeply.', this.peek());
      return { kind: 'not', operand: this.negation(depth + 1) };
    }
    return this.predicate(depth);
  }

  private predicate(depth: number): IndexCondition {
    if (this.acceptPunct('(')) {
      const inner = this.condition(depth + 1);
      this.expectPunct(')');
      return inner;
    }
    const left = this.operand();
    if (this.acceptKeyword('is')) {
      const negated = this.acceptKeyword('not');
      this.expectKeyword('null');
      return { kind: 'isNull', negated, operand: left };
    }
    const token = this.peek();
    if (token.kind === 'op') {
      this.next();
      return { kind: 'compare', op: normalizeOperator(token.value), left, right: this.operand() };
    }
    return { kind: 'truthy', operand: left };
  }

  private operand(): IndexOperand {
    const token = this.peek();
    if (token.kind === 'string') {
      this.next();
      return { kind: 'string', value: token.value };
    }
    if (token.kind === 'number' || (token.kind === 'punct' && (token.value === '-' || token.value === '+'))) {
      return this.number();
    }
    if (token.kind === 'ident' && token.quote === 'bare') {
      const word = token.value.toLowerCase();
      if (word === 'null' || word === 'true' || word === 'false') {
        this.next();
        return word === 'null' ? { kind: 'null' } : { kind: 'bool', value: word === 'true' };
      }
    }
    const expr = this.valueExpr(false);
    if (!expr) return this.fail(`Expected a column or a literal, got ${describe(token)}.`, token);
    return expr;
  }

  private number(): IndexOperand {
    let sign = '';
    const first = this.peek();
    if (first.kind === 'punct') {
      this.next();
      sign = first.value === '-' ? '-' : '';
    }
    const token = this.next();
    if (token.kind !== 'number') return this.fail(`Expected a number, got ${describe(token)}.`, token);
    const value = `${sign}${token.value}`;
    if (!Number.isFinite(Number(value))) this.fail(`The number ${value} is out of range.`, token);
    return { kind: 'number', value };
  }

  private peek(): IndexToken {
    return this.tokens[this.position];
  }

  private tokenAt(offset: number, punct: string): boolean {
    const token = this.tokens[this.position + offset];
    return token?.kind === 'punct' && token.value === punct;
  }

  private next(): IndexToken {
    const token = this.tokens[this.position];
    if (token.kind !== 'eof') this.position++;
    return token;
  }

  private peekPunct(value: string): boolean {
    return this.tokenAt(0, value);
  }

  private acceptPunct(value: string): boolean {
    if (!this.peekPunct(value)) return false;
    this.position++;
    return true;
  }

  private expectPunct(value: string): void {
    const token = this.peek();
    if (!this.acceptPunct(value)) this.fail(`Expected "${value}", got ${describe(token)}.`, token);
  }

  private acceptKeyword(word: string): boolean {
    const token = this.peek();
    if (token.kind !== 'ident' || token.quote !== 'bare' || token.value.toLowerCase() !== word) return false;
    this.position++;
    return true;
  }

  private expectKeyword(word: string): void {
    const token = this.peek();
    if (!this.acceptKeyword(word)) this.fail(`Expected ${word.toUpperCase()}, got ${describe(token)}.`, token);
  }

  private fail(message: string, token: IndexToken): never {
    throw new IndexParseError('invalid_syntax', message, token.start);
  }
}

function normalizeOperator(op: string): IndexCompareOperator {
  if (op === '==') return '=';
  if (op === '<>') return '!=';
  return op as IndexCompareOperator;
}

/**
 * Parses one PocketBase (SQLite) index statement:
 * `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (item, …) [WHERE condition]`, where an item
 * is a column or `lower(col)`, `upper(col)`, `json_extract(col, '$.path')`, optionally with
 * `COLLATE NOCASE|BINARY|RTRIM` and `ASC|DESC`, and the condition compares columns with literals
 * (`= != <> < <= > >=`, `IS [NOT] NULL`, `AND`, `OR`, `NOT`, parentheses). Anything else throws
 * `IndexParseError`, so the result is safe to translate into DDL.
 */
export function parseIndex(sql: string): ParsedIndex {
  if (typeof sql !== 'string') throw new IndexParseError('invalid_syntax', 'The index must be a string.');
  return new IndexParser(tokenizeIndex(sql)).parse();
}

/** Every column reference in the index (items, then the WHERE condition), in source order per part. */
export function indexColumnRefs(parsed: ParsedIndex): IndexColumnRef[] {
  const refs: IndexColumnRef[] = [];
  const visitOperand = (operand: IndexOperand) => {
    if (operand.kind === 'column') refs.push(operand);
    else if (operand.kind === 'call') refs.push(operand.column);
  };
  const visit = (condition: IndexCondition) => {
    switch (condition.kind) {
      case 'and':
      case 'or':
        visit(condition.left);
        visit(condition.right);
        break;
      case 'not':
        visit(condition.operand);
        break;
      case 'compare':
        visitOperand(condition.left);
        visitOperand(condition.right);
        break;
      case 'isNull':
      case 'truthy':
        visitOperand(condition.operand);
        break;
    }
  };
  for (const item of parsed.items) visitOperand(item.expr);
  if (parsed.where) visit(parsed.where);
  return refs;
}
