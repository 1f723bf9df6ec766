import type { ComparisonOperator } from '../parser/filter.ast';
import type { Affinity, ValueClass } from '../sql/sql-operand';
import {
  compareText,
  likeMatches,
  likeParamValue,
  pgFloatText,
  realToText,
  textToComparableNumber,
} from '../sql/sqlite-coercion';

// The in-memory twin of sql/comparison.sql.ts: the same rules, case by case, on JavaScript values.

/** A runtime value with the static facts the SQL compiler uses. `value` is null for SQL NULL. */
export interface EvalOperand {
  cls: ValueClass;
  /** num: number; text: string; json: any JSON value (null = JSON null or missing). */
  value: unknown;
  affinity: Affinity;
  nullable: boolean;
  noCoalesce?: boolean;
  bool?: 'column' | 'literal';
  /** A bound parameter (coercions then follow the JavaScript rules used for binding). */
  param?: boolean;
}

export type Tri = boolean | null;

const num = (o: EvalOperand): number | null => (o.value === null ? null : Number(o.value));

/** Postgres' jsonb text output: keys ordered by length then bytes, `", "` and `": "` separators. */
export function jsonbText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object).sort(
      (a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || compareText(a, b),
    );
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbText((value as Record<string, unknown>)[k])}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

const jsonNum = (v: unknown): number | null =>
  typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : null;
const jsonTxt = (v: unknown): string | null =>
  typeof v === 'string' ? v : v !== null && typeof v === 'object' ? jsonbText(v) : null;
const jsonAsText = (v: unknown): string | null =>
  typeof v === 'string'
    ? v
    : typeof v === 'boolean'
      ? v
        ? '1'
        : '0'
      : v === null || v === undefined
        ? null
        : jsonbText(v);
function jsonAsNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return textToComparableNumber(v);
  if (v !== null && typeof v === 'object') return Number.POSITIVE_INFINITY;
  return null;
}

function textOf(o: EvalOperand): string | null {
  if (o.value === null || o.value === undefined) return null;
  switch (o.cls) {
    case 'text':
      return o.value as string;
    case 'null':
      return null;
    case 'json':
      return jsonAsText(o.value);
    case 'num':
      if (o.bool) return Number(o.value) ? '1' : '0';
      return o.param ? realToText(Number(o.value)) : pgFloatText(Number(o.value));
  }
}

function order(op: '<' | '<=' | '>' | '>=', c: number): boolean {
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

export function evalCompare(op: ComparisonOperator, left: EvalOperand, right: EvalOperand): Tri {
  if (op === '~' || op === '!~') return evalLike(op === '!~', left, right);
  if (left.cls === 'null' || right.cls === 'null') return nullCompare(op, left, right);
  if (left.cls === 'json' || right.cls === 'json') return jsonCompare(op, left, right);
  let a = left;
  let b = right;
  if (a.cls !== b.cls) {
    const aNum = a.cls === 'num';
    const n = aNum ? a : b;
    const t = aNum ? b : a;
    let converted: EvalOperand;
    if (n.affinity === 'numeric') {
      converted = {
        cls: 'num',
        value: t.value === null ? null : textToComparableNumber(t.value as string),
        affinity: 'none',
        nullable: true,
      };
      if (aNum) b = converted;
      else a = converted;
    } else if (t.affinity === 'text') {
      const text =
        n.value === null
          ? null
          : n.param
            ? realToText(Number(n.value))
            : n.bool
              ? Number(n.value)
                ? '1'
                : '0'
              : String(n.value);
      converted = { cls: 'text', value: text, affinity: 'none', nullable: n.nullable, noCoalesce: n.noCoalesce };
      if (aNum) a = converted;
      else b = converted;
    } else {
      if (op === '=') return false;
      if (op === '!=') return true;
      if (a.value === null || b.value === null) return null;
      return order(op, (a.cls === 'num' ? 1 : 2) - (b.cls === 'num' ? 1 : 2));
    }
  }
  const nullable = a.nullable || b.nullable;
  if (a.cls === 'num') {
    const x = num(a);
    const y = num(b);
    if (op === '=' || op === '!=') {
      let eq: Tri;
      if (nullable) eq = x === y;
      else eq = x === null || y === null ? null : x === y;
      return eq === null ? null : op === '=' ? eq : !eq;
    }
    if (x === null || y === null) return null;
    return order(op, x < y ? -1 : x > y ? 1 : 0);
  }
  let x = a.value as string | null;
  let y = b.value as string | null;
  if (op === '=' || op === '!=') {
    if (!(a.noCoalesce || b.noCoalesce)) {
      if (a.nullable) x = x ?? '';
      if (b.nullable) y = y ?? '';
    } else {
      const eq = x === y;
      return op === '=' ? eq : !eq;
    }
    if (x === null || y === null) return null;
    return op === '=' ? x === y : x !== y;
  }
  if (x === null || y === null) return null;
  return order(op, compareText(x, y));
}

function isEmpty(o: EvalOperand): boolean {
  switch (o.cls) {
    case 'text':
      if (o.noCoalesce) return o.value === null;
      return (o.value ?? '') === '';
    default:
      return o.value === null || o.value === undefined;
  }
}

function nullCompare(op: ComparisonOperator, a: EvalOperand, b: EvalOperand): Tri {
  if (a.cls === 'null' && b.cls === 'null') return op === '=' ? true : op === '!=' ? false : null;
  const other = a.cls === 'null' ? b : a;
  if (op === '=') return isEmpty(other);
  if (op === '!=') return !isEmpty(other);
  return null;
}

interface Dyn {
  num: number | null;
  txt: string | null;
  hasNum: boolean;
  hasTxt: boolean;
}

function dyn(o: EvalOperand): Dyn {
  if (o.cls === 'json') return { num: jsonNum(o.value), txt: jsonTxt(o.value), hasNum: true, hasTxt: true };
  if (o.cls === 'num') return { num: num(o), txt: null, hasNum: true, hasTxt: false };
  return { num: null, txt: o.value as string | null, hasNum: false, hasTxt: true };
}

const rank = (d: Dyn) => (d.num !== null ? 1 : d.txt !== null ? 2 : 0);

function jsonCompare(op: Exclude<ComparisonOperator, '~' | '!~'>, a: EvalOperand, b: EvalOperand): Tri {
  const jsonLeft = a.cls === 'json';
  const json = jsonLeft ? a : b;
  const other = jsonLeft ? b : a;
  if (other.cls !== 'json' && other.affinity !== 'none') {
    const converted: EvalOperand =
      other.affinity === 'text'
        ? { cls: 'text', value: jsonAsText(json.value), affinity: 'none', nullable: true, noCoalesce: true }
        : { cls: 'num', value: jsonAsNumber(json.value), affinity: 'none', nullable: true, noCoalesce: true };
    return evalCompare(op, jsonLeft ? converted : a, jsonLeft ? b : converted);
  }
  const x = dyn(a);
  const y = dyn(b);
  if (op === '=' || op === '!=') {
    let eq = true;
    if (x.hasNum || y.hasNum) eq &&= x.num === y.num;
    if (x.hasTxt || y.hasTxt) eq &&= x.txt === y.txt;
    return op === '=' ? eq : !eq;
  }
  const ra = rank(x);
  const rb = rank(y);
  if (ra === 0 || rb === 0) return null;
  if (ra !== rb) return order(op, ra - rb);
  if (ra === 1) return order(op, (x.num as number) - (y.num as number) || 0);
  return order(op, compareText(x.txt as string, y.txt as string));
}

function evalLike(negate: boolean, left: EvalOperand, right: EvalOperand): Tri {
  if (right.cls === 'null') return null;
  let pattern: string | null;
  if (right.param && right.value !== null) pattern = likeParamValue(String(right.value));
  else {
    const t = textOf(right);
    pattern = t === null ? null : `%${t}%`;
  }
  if (left.cls === 'null') return null;
  const text = textOf(left);
  if (text === null || pattern === null) return null;
  const matches = likeMatches(text, pattern);
  return negate ? !matches : matches;
}
