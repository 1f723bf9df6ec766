import { storageKindOf } from '../fields/field-registry';
import type { Collection } from '../model/collection.model';
import type { Field, StorageKind } from '../model/field.model';
import { quoteIdent } from '../util/quote';
import { IndexParseError } from './index.errors';
import type {
  IndexColumnRef,
  IndexCondition,
  IndexItem,
  IndexJsonPath,
  IndexLiteral,
  IndexOperand,
  IndexValueExpr,
  ParsedIndex,
} from './index.model';

/** Postgres truncates longer identifiers silently, which would make two index names collide. */
export const MAX_INDEX_NAME_BYTES = 63;

/**
 * A translated value expression. `jsonPath` values have a text form (`#>>`, like SQLite's
 * json_extract on strings) and a jsonb form (`#>`, for comparisons with numbers and booleans).
 */
type Value =
  | { kind: StorageKind; sql: string; label: string }
  | { kind: 'jsonPath'; sql: string; jsonSql: string; label: string };

const unsupported = (message: string): never => {
  throw new IndexParseError('unsupported', message);
};

/**
 * A Postgres string literal. DDL cannot take bind parameters, so values are inlined: quotes are
 * doubled, and a value with a backslash uses the E'' form (backslashes doubled) so it reads the
 * same whatever `standard_conforming_strings` says. The tokenizer has already refused NUL bytes.
 */
export function pgStringLiteral(value: string): string {
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/** `'{a,0}'`: path keys are limited to `[A-Za-z0-9_]` by the parser, so no element needs quoting. */
const pgPathLiteral = (path: IndexJsonPath) => `'{${path.join(',')}}'`;

class IndexTranslator {
  private readonly fields = new Map<string, Field | null>();

  constructor(private readonly collection: Collection) {
    for (const field of collection.fields) this.fields.set(field.name.toLowerCase(), field);
    // Every record table has an `id` text column, listed as a field or not.
    if (!this.fields.has('id')) this.fields.set('id', null);
  }

  translate(parsed: ParsedIndex): string {
    if (Buffer.byteLength(parsed.name, 'utf8') > MAX_INDEX_NAME_BYTES) {
      unsupported(`The index name is longer than ${MAX_INDEX_NAME_BYTES} bytes.`);
    }
    const items = parsed.items.map((item) => this.item(item)).join(', ');
    const where = parsed.where ? ` WHERE ${this.condition(parsed.where)}` : '';
    const unique = parsed.unique ? 'UNIQUE ' : '';
    // The table is always the collection's own, as PocketBase does, so a stale name in the string
    // (say, after a rename) cannot point the index at another table.
    return `CREATE ${unique}INDEX ${quoteIdent(parsed.name)} ON ${quoteIdent(this.collection.name)} (${items})${where}`;
  }

  private item(item: IndexItem): string {
    const value = this.value(item.expr);
    let sql = value.sql;
    const isText = value.kind === 'text' || value.kind === 'jsonPath';
    // SQLite collations only change how text compares; on other types they do nothing there either.
    if (isText && item.collate === 'NOCASE') sql = `lower(${sql})`;
    if (isText && item.collate === 'RTRIM') sql = `rtrim(${sql}, ' ')`;
    const expression = sql === this.columnSql(item.expr) ? sql : `(${sql})`;
    return item.order ? `${expression} ${item.order}` : expression;
  }

  private columnSql(expr: IndexValueExpr): string | null {
    return expr.kind === 'column' ? quoteIdent(this.field(expr).name) : null;
  }

  private field(ref: IndexColumnRef): { name: string; kind: StorageKind } {
    const field = this.fields.get(ref.name.toLowerCase());
    if (field === undefined) {
      throw new IndexParseError(
        'unknown_column',
        `Unknown column "${ref.name}": the collection has no such field.`,
        ref.span.start,
      );
    }
    return field ? { name: field.name, kind: storageKindOf(field) } : { name: 'id', kind: 'text' };
  }

  private value(expr: IndexValueExpr): Value {
    const { name, kind } = this.field(expr.kind === 'column' ? expr : expr.column);
    const column = quoteIdent(name);
    if (expr.kind === 'column') return { kind, sql: column, label: `"${name}"` };
    if (expr.fn === 'json_extract') {
      if (kind !== 'json' && kind !== 'geoPoint') {
        unsupported(`json_extract() needs a json or geoPoint field, and "${name}" is not one.`);
      }
      const path = pgPathLiteral(expr.path ?? []);
      return {
        kind: 'jsonPath',
        sql: `${column} #>> ${path}`,
        jsonSql: `${column} #> ${path}`,
        label: `json_extract("${name}")`,
      };
    }
    if (kind !== 'text') unsupported(`${expr.fn}() needs a text-like field, and "${name}" is not one.`);
    return { kind: 'text', sql: `${expr.fn}(${column})`, label: `${expr.fn}("${name}")` };
  }

  private condition(condition: IndexCondition): string {
    switch (condition.kind) {
      case 'and':
      case 'or':
        return `(${this.condition(condition.left)} ${condition.kind.toUpperCase()} ${this.condition(condition.right)})`;
      case 'not':
        return `(NOT ${this.condition(condition.operand)})`;
      case 'isNull': {
        const value = this.valueOperand(condition.operand, 'IS NULL');
        return `(${value.sql} IS ${condition.negated ? 'NOT ' : ''}NULL)`;
      }
      case 'truthy': {
        const value = this.valueOperand(condition.operand, 'a bare condition');
        if (value.kind === 'bool') return value.sql;
        if (value.kind === 'number') return `(${value.sql} <> 0)`;
        return unsupported(`${value.label} is not a boolean: compare it with a value instead.`);
      }
      case 'compare':
        return this.compare(condition.op, condition.left, condition.right);
    }
  }

  private valueOperand(operand: IndexOperand, context: string): Value {
    if (operand.kind !== 'column' && operand.kind !== 'call') unsupported(`${context} needs a column, not a literal.`);
    return this.value(operand as IndexValueExpr);
  }

  private compare(op: string, left: IndexOperand, right: IndexOperand): string {
    const leftIsExpr = left.kind === 'column' || left.kind === 'call';
    const rightIsExpr = right.kind === 'column' || right.kind === 'call';
    if (!leftIsExpr && !rightIsExpr) unsupported('A comparison needs a column on at least one side.');
    if (leftIsExpr && rightIsExpr) {
      const [a, b] = [this.value(left), this.value(right)];
      const family = (value: Value) => (value.kind === 'jsonPath' ? 'text' : value.kind);
      if (family(a) !== family(b)) unsupported(`Cannot compare ${a.label} with ${b.label}: their types differ.`);
      return `(${a.sql} ${op} ${b.sql})`;
    }
    const value = this.value((leftIsExpr ? left : right) as IndexValueExpr);
    const [valueSql, literalSql] = this.literalFor(value, (leftIsExpr ? right : left) as IndexLiteral);
    return leftIsExpr ? `(${valueSql} ${op} ${literalSql})` : `(${literalSql} ${op} ${valueSql})`;
  }

  /** Renders `literal` in the type of `value` (as SQLite's affinity rules would compare them). */
  private literalFor(value: Value, literal: IndexLiteral): [string, string] {
    if (literal.kind === 'null') return [value.sql, 'NULL'];
    const mismatch = (): never => unsupported(`Cannot compare ${value.label} with ${describeLiteral(literal)}.`);
    switch (value.kind) {
      case 'text':
        if (literal.kind === 'bool') return mismatch();
        return [value.sql, pgStringLiteral(literal.value)];
      case 'number': {
        if (literal.kind === 'bool') return [value.sql, literal.value ? '1' : '0'];
        const number = literal.kind === 'number' ? literal.value : numericText(literal.value);
        return number === null ? mismatch() : [value.sql, number];
      }
      case 'bool':
        if (literal.kind === 'bool') return [value.sql, literal.value ? 'TRUE' : 'FALSE'];
        if (literal.kind === 'number' && (Number(literal.value) === 0 || Number(literal.value) === 1)) {
          return [value.sql, Number(literal.value) === 1 ? 'TRUE' : 'FALSE'];
        }
        return mismatch();
      case 'json':
      case 'geoPoint': {
        const json = literal.kind === 'string' ? jsonText(literal.value) : jsonScalar(literal);
        return json === null ? mismatch() : [value.sql, `${pgStringLiteral(json)}::jsonb`];
      }
      case 'textList': {
        const array = literal.kind === 'string' ? stringArray(literal.value) : null;
        if (!array) return mismatch();
        const elements = array.map((element) => pgStringLiteral(element)).join(', ');
        return [value.sql, array.length === 0 ? `'{}'::text[]` : `ARRAY[${elements}]::text[]`];
      }
      case 'jsonPath':
        if (literal.kind === 'string') return [value.sql, pgStringLiteral(literal.value)];
        return [value.jsonSql, `${pgStringLiteral(jsonScalar(literal))}::jsonb`];
    }
  }
}

function describeLiteral(literal: IndexLiteral): string {
  switch (literal.kind) {
    case 'string':
      return `the string '${literal.value}'`;
    case 'number':
      return `the number ${literal.value}`;
    case 'bool':
      return literal.value ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
  }
}

/** A string SQLite would read as a number for a numeric column, as Postgres number text. */
function numericText(text: string): string | null {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return null;
  const number = Number(trimmed);
  return Number.isFinite(number) ? String(number) : null;
}

/** `.5` is valid SQL but not valid JSON: numbers go through Number first. */
function jsonScalar(literal: { kind: 'number'; value: string } | { kind: 'bool'; value: boolean }): string {
  return literal.kind === 'number' ? String(Number(literal.value)) : String(literal.value);
}

function jsonText(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return null;
  }
}

/** Multi-value fields hold JSON arrays in PocketBase and text[] here: `'["a","b"]'` → `{a,b}`. */
function stringArray(text: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Translates a parsed PocketBase index into Postgres DDL for the collection's table:
 * `CREATE [UNIQUE] INDEX "name" ON "table" (…) [WHERE …]`. Every column must be a field of the
 * collection (matched case-insensitively, as SQLite does; `id` always exists) and is written with
 * the field's exact name; literals are inlined and escaped (DDL takes no bind parameters).
 *
 * Translation choices:
 * - the table is always `collection.name`, whatever the string says (PocketBase does the same);
 * - `COLLATE NOCASE` becomes `lower(expr)`, so a unique index is then case-insensitive like
 *   SQLite's NOCASE (which folds ASCII only; `lower()` also folds other letters per the database
 *   locale); `COLLATE RTRIM` becomes `rtrim(expr, ' ')`; BINARY is the default. Collations on
 *   non-text fields are ignored, as in SQLite;
 * - `json_extract(col, '$.a.b[0]')` becomes `(col #>> '{a,b,0}')` (text; JSON null is SQL NULL);
 *   in a WHERE comparison with a number or boolean it becomes `(col #> '{…}') = '5'::jsonb`;
 * - WHERE literals are converted to the column's type: numbers for number fields (numeric strings
 *   accepted), `TRUE`/`FALSE` (or 1/0) for bool, JSON text for json/geoPoint (`'…'::jsonb`), a JSON
 *   array of strings for multi-value fields (`ARRAY[…]::text[]`); anything else is an error;
 * - `IF NOT EXISTS` is dropped: the schema sync drops and recreates indexes, and a silently kept
 *   index of the same name would hide a conflict.
 *
 * Throws `IndexParseError` (`unknown_column` or `unsupported`).
 */
export function indexToPostgres(parsed: ParsedIndex, collection: Collection): string {
  return new IndexTranslator(collection).translate(parsed);
}
