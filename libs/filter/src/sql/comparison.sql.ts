import type { ComparisonOperator } from '../parser/filter.ast';
import type { ParamBag, SqlOperand } from './sql-operand';
import { likeParamValue, NUMERIC_TEXT_PATTERN, realToText, textToComparableNumber } from './sqlite-coercion';

// Builds one comparison as Postgres SQL with SQLite's (and so PocketBase's) semantics. The result is
// three-valued like SQL itself: NULL where SQLite would yield NULL. The in-memory evaluator
// (evaluate/value-compare.ts) implements the same rules case by case.

type OrderOp = '<' | '<=' | '>' | '>=';

const numSql = (o: SqlOperand): string =>
  o.bool === 'column' ? `(${o.sql})::int` : o.bool === 'literal' ? (o.sql === 'TRUE' ? '1' : '0') : o.sql;

/** Text to number under NUMERIC affinity (see `textToComparableNumber`). */
export function textToNumberSql(text: string): string {
  return `(CASE WHEN ${text} IS NULL OR ${text} = '' THEN NULL WHEN ${text} ~ '${NUMERIC_TEXT_PATTERN}' THEN (${text})::double precision ELSE 'Infinity'::double precision END)`;
}

function toNumber(o: SqlOperand, params: ParamBag): SqlOperand {
  if (o.param && typeof o.param.value === 'string') {
    const converted = textToComparableNumber(o.param.value);
    return { cls: 'num', sql: `${params.add(converted)}::double precision`, affinity: 'none', nullable: true };
  }
  return { cls: 'num', sql: textToNumberSql(o.sql), affinity: 'none', nullable: true, noCoalesce: o.noCoalesce };
}

function toText(o: SqlOperand, params: ParamBag): SqlOperand {
  if (o.param && typeof o.param.value === 'number') return params.text(realToText(o.param.value));
  return { cls: 'text', sql: textOf(o), affinity: 'none', nullable: o.nullable, noCoalesce: o.noCoalesce };
}

/** Any operand as text, the way SQLite's LIKE and TEXT affinity see it. */
function textOf(o: SqlOperand): string {
  switch (o.cls) {
    case 'text':
      return o.sql;
    case 'null':
      return 'NULL::text';
    case 'json':
      return jsonAsText(o.sql);
    case 'num':
      if (o.bool === 'literal') return o.sql === 'TRUE' ? `'1'` : `'0'`;
      if (o.bool === 'column') return `(CASE WHEN ${o.sql} THEN '1' WHEN NOT ${o.sql} THEN '0' END)`;
      return `(${o.sql})::text`;
  }
}

/** A jsonb number as double precision; values beyond its range become ±Infinity / 0 instead of an error. */
export const jsonNumberSql = (j: string) =>
  `(CASE WHEN abs((${j})::numeric) >= 1e308 THEN sign((${j})::numeric)::double precision * 'Infinity'::double precision WHEN abs((${j})::numeric) < 1e-307 THEN 0 ELSE (${j})::double precision END)`;

const jsonNum = (j: string) =>
  `(CASE jsonb_typeof(${j}) WHEN 'number' THEN ${jsonNumberSql(j)} WHEN 'boolean' THEN (CASE WHEN (${j})::boolean THEN 1 ELSE 0 END) END)`;
const jsonTxt = (j: string) =>
  `(CASE jsonb_typeof(${j}) WHEN 'string' THEN (${j}) #>> '{}' WHEN 'object' THEN (${j})::text WHEN 'array' THEN (${j})::text END)`;
/** A json value under TEXT affinity: numbers and booleans (as 1/0) become text. */
const jsonAsText = (j: string) =>
  `(CASE jsonb_typeof(${j}) WHEN 'string' THEN (${j}) #>> '{}' WHEN 'boolean' THEN (CASE WHEN (${j})::boolean THEN '1' ELSE '0' END) WHEN 'null' THEN NULL ELSE (${j})::text END)`;
/** A json value under NUMERIC affinity: numeric-looking strings become numbers. */
const jsonAsNumber = (j: string) =>
  `(CASE jsonb_typeof(${j}) WHEN 'number' THEN ${jsonNumberSql(j)} WHEN 'boolean' THEN (CASE WHEN (${j})::boolean THEN 1 ELSE 0 END) WHEN 'string' THEN ${textToNumberSql(`(${j}) #>> '{}'`)} WHEN 'object' THEN 'Infinity'::double precision WHEN 'array' THEN 'Infinity'::double precision END)`;

/** Builds `left op right`; `~`/`!~` get the LIKE treatment. */
export function compareSql(op: ComparisonOperator, left: SqlOperand, right: SqlOperand, params: ParamBag): string {
  if (op === '~' || op === '!~') return likeSql(op === '!~', left, right, params);
  if (left.cls === 'null' || right.cls === 'null') return nullCompare(op, left, right);
  if (left.cls === 'json' || right.cls === 'json') return jsonCompare(op, left, right, params);
  let a = left;
  let b = right;
  if (a.cls !== b.cls) {
    const aNum = a.cls === 'num';
    const num = aNum ? a : b;
    const text = aNum ? b : a;
    if (num.affinity === 'numeric') {
      const converted = toNumber(text, params);
      if (aNum) b = converted;
      else a = converted;
    } else if (text.affinity === 'text') {
      const converted = toText(num, params);
      if (aNum) a = converted;
      else b = converted;
    } else {
      return mixedCompare(op, a, b);
    }
  }
  return a.cls === 'num' ? numCompare(op, a, b) : textCompare(op, a, b);
}

function numCompare(op: Exclude<ComparisonOperator, '~' | '!~'>, a: SqlOperand, b: SqlOperand): string {
  const nullable = a.nullable || b.nullable;
  if ((op === '=' || op === '!=') && a.bool && b.bool && (a.bool === 'column') !== (b.bool === 'column')) {
    // a boolean column against true/false: compare as booleans so an index can serve it
    const col = a.bool === 'column' ? a : b;
    const lit = a.bool === 'column' ? b : a;
    if (op === '=') return nullable ? `${col.sql} IS NOT DISTINCT FROM ${lit.sql}` : `${col.sql} = ${lit.sql}`;
    return nullable ? `${col.sql} IS DISTINCT FROM ${lit.sql}` : `${col.sql} <> ${lit.sql}`;
  }
  const x = numSql(a);
  const y = numSql(b);
  if (op === '=') return nullable ? `${x} IS NOT DISTINCT FROM ${y}` : `${x} = ${y}`;
  if (op === '!=') return nullable ? `${x} IS DISTINCT FROM ${y}` : `${x} <> ${y}`;
  return `${x} ${op} ${y}`;
}

function textCompare(op: Exclude<ComparisonOperator, '~' | '!~'>, a: SqlOperand, b: SqlOperand): string {
  if (op === '=' || op === '!=') {
    if (a.noCoalesce || b.noCoalesce) {
      return `${a.sql} ${op === '=' ? 'IS NOT DISTINCT FROM' : 'IS DISTINCT FROM'} ${b.sql}`;
    }
    // PocketBase treats NULL and '' alike in equality
    const x = a.nullable ? `COALESCE(${a.sql}, '')` : a.sql;
    const y = b.nullable ? `COALESCE(${b.sql}, '')` : b.sql;
    return `${x} ${op === '=' ? '=' : '<>'} ${y}`;
  }
  // SQLite compares text bytewise (BINARY collation); "C" is the Postgres equivalent
  return `${a.sql} ${op} ${b.sql} COLLATE "C"`;
}

/** A number against a text with no affinity to convert either: numbers sort before text and never equal it. */
function mixedCompare(op: Exclude<ComparisonOperator, '~' | '!~'>, a: SqlOperand, b: SqlOperand): string {
  if (op === '=') return 'FALSE';
  if (op === '!=') return 'TRUE';
  const rankA = a.cls === 'num' ? 1 : 2;
  const rankB = b.cls === 'num' ? 1 : 2;
  const result = compareNumbers(op, rankA, rankB) ? 'TRUE' : 'FALSE';
  const checks = [a, b].filter((o) => o.nullable).map((o) => `${o.sql} IS NULL`);
  return checks.length ? `(CASE WHEN ${checks.join(' OR ')} THEN NULL ELSE ${result} END)` : result;
}

function compareNumbers(op: OrderOp, x: number, y: number): boolean {
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}

function isEmptySql(o: SqlOperand): string {
  switch (o.cls) {
    case 'text':
      if (o.noCoalesce) return `${o.sql} IS NULL`;
      return o.nullable ? `COALESCE(${o.sql}, '') = ''` : `${o.sql} = ''`;
    case 'json':
      return `(${o.sql} IS NULL OR jsonb_typeof(${o.sql}) = 'null')`;
    default:
      return `${o.sql} IS NULL`;
  }
}

function nullCompare(op: ComparisonOperator, a: SqlOperand, b: SqlOperand): string {
  if (a.cls === 'null' && b.cls === 'null') return op === '=' ? 'TRUE' : op === '!=' ? 'FALSE' : 'NULL';
  const other = a.cls === 'null' ? b : a;
  if (op === '=') return isEmptySql(other);
  if (op === '!=') return `NOT (${isEmptySql(other)})`;
  return 'NULL';
}

interface DynValue {
  num: string | null;
  txt: string | null;
  /** SQL giving 0 (null), 1 (number) or 2 (text). */
  rank: string;
}

function dyn(o: SqlOperand): DynValue {
  if (o.cls === 'json') {
    const num = jsonNum(o.sql);
    const txt = jsonTxt(o.sql);
    return { num, txt, rank: `(CASE WHEN ${num} IS NOT NULL THEN 1 WHEN ${txt} IS NOT NULL THEN 2 ELSE 0 END)` };
  }
  if (o.cls === 'num') {
    const num = numSql(o);
    return { num, txt: null, rank: o.nullable ? `(CASE WHEN ${num} IS NULL THEN 0 ELSE 1 END)` : '1' };
  }
  return { num: null, txt: o.sql, rank: o.nullable ? `(CASE WHEN ${o.sql} IS NULL THEN 0 ELSE 2 END)` : '2' };
}

function jsonCompare(op: Exclude<ComparisonOperator, '~' | '!~'>, a: SqlOperand, b: SqlOperand, params: ParamBag) {
  // a json value against a column takes that column's affinity, as in SQLite
  const jsonLeft = a.cls === 'json';
  const json = jsonLeft ? a : b;
  const other = jsonLeft ? b : a;
  if (other.cls !== 'json' && other.affinity !== 'none') {
    const converted: SqlOperand =
      other.affinity === 'text'
        ? { cls: 'text', sql: jsonAsText(json.sql), affinity: 'none', nullable: true, noCoalesce: true }
        : { cls: 'num', sql: jsonAsNumber(json.sql), affinity: 'none', nullable: true, noCoalesce: true };
    return compareSql(op, jsonLeft ? converted : a, jsonLeft ? b : converted, params);
  }
  const x = dyn(a);
  const y = dyn(b);
  if (op === '=' || op === '!=') {
    const parts: string[] = [];
    for (const key of ['num', 'txt'] as const) {
      const p = x[key];
      const q = y[key];
      if (p === null && q === null) continue;
      if (p === null || q === null) parts.push(`${p ?? q} IS NULL`);
      else parts.push(`${p} IS NOT DISTINCT FROM ${q}`);
    }
    const eq = `(${parts.join(' AND ')})`;
    return op === '=' ? eq : `NOT ${eq}`;
  }
  const pn = x.num ?? 'NULL::double precision';
  const qn = y.num ?? 'NULL::double precision';
  const pt = x.txt ?? 'NULL::text';
  const qt = y.txt ?? 'NULL::text';
  return `(CASE WHEN ${x.rank} = 0 OR ${y.rank} = 0 THEN NULL WHEN ${x.rank} <> ${y.rank} THEN ${x.rank} ${op} ${y.rank} WHEN ${x.rank} = 1 THEN ${pn} ${op} ${qn} ELSE ${pt} ${op} ${qt} COLLATE "C" END)`;
}

function likeSql(negate: boolean, left: SqlOperand, right: SqlOperand, params: ParamBag): string {
  // a literal number is a REAL in SQLite, which LIKE reads as text like "5.0"
  if (left.param && typeof left.param.value === 'number') left = params.text(realToText(left.param.value));
  const keyword = negate ? 'NOT ILIKE' : 'ILIKE';
  let pattern: string;
  if (right.cls === 'null') return 'NULL';
  if (right.param && right.param.value !== null) {
    pattern = `${params.add(likeParamValue(String(right.param.value)))}::text`;
  } else {
    pattern = `('%' || ${textOf(right)} || '%')`;
  }
  if (left.cls === 'null') return 'NULL';
  // "C" folds ASCII letters only, like SQLite's LIKE, whatever the database's collation
  return `(${textOf(left)}) COLLATE "C" ${keyword} ${pattern} ESCAPE '\\'`;
}
