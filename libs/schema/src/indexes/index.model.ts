/** Half-open character range `[start, end)` in the source statement. */
export interface IndexSourceSpan {
  start: number;
  end: number;
}

/** A column as written in the statement; `name` is unquoted, matched to fields case-insensitively. */
export interface IndexColumnRef {
  kind: 'column';
  name: string;
  span: IndexSourceSpan;
}

/** The functions an index may apply to a column. Anything else is rejected by the parser. */
export const INDEX_FUNCTIONS = ['lower', 'upper', 'json_extract'] as const;
export type IndexFunction = (typeof INDEX_FUNCTIONS)[number];

/** `$.a.b[0]` as `['a', 'b', 0]`. */
export type IndexJsonPath = (string | number)[];

export interface IndexFunctionCall {
  kind: 'call';
  fn: IndexFunction;
  column: IndexColumnRef;
  /** json_extract only. */
  path: IndexJsonPath | null;
}

/** What an index item or a WHERE operand computes from one row. */
export type IndexValueExpr = IndexColumnRef | IndexFunctionCall;

export type IndexLiteral =
  | { kind: 'string'; value: string }
  /** Decimal text as written (sign included), already checked to be a finite number. */
  | { kind: 'number'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' };

export type IndexOperand = IndexValueExpr | IndexLiteral;

/** `==` is read as `=`, `<>` as `!=`. */
export type IndexCompareOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** The restricted WHERE grammar of a partial index. */
export type IndexCondition =
  | { kind: 'and' | 'or'; left: IndexCondition; right: IndexCondition }
  | { kind: 'not'; operand: IndexCondition }
  | { kind: 'compare'; op: IndexCompareOperator; left: IndexOperand; right: IndexOperand }
  | { kind: 'isNull'; negated: boolean; operand: IndexOperand }
  /** A bare operand used as a condition (`WHERE published`). */
  | { kind: 'truthy'; operand: IndexOperand };

export type IndexCollation = 'NOCASE' | 'BINARY' | 'RTRIM';

export interface IndexItem {
  expr: IndexValueExpr;
  collate: IndexCollation | null;
  order: 'ASC' | 'DESC' | null;
}

/** A parsed PocketBase (SQLite) CREATE INDEX statement. */
export interface ParsedIndex {
  name: string;
  unique: boolean;
  /** `IF NOT EXISTS` was given; kept for round trips, the translation ignores it. */
  ifNotExists: boolean;
  table: string;
  /** Where the table name is written, for `replaceIndexTable`. */
  tableSpan: IndexSourceSpan;
  items: IndexItem[];
  where: IndexCondition | null;
}
