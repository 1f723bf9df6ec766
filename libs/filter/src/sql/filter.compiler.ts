import { pbDateTime } from '@hivebase/contracts';
import type { Collection, CollectionLookup } from '@hivebase/schema';
import { FilterResolveError } from '../errors/filter.errors';
import { macroValue } from '../functions/macros';
import { GEO_EPSILON_DEGREES, parseStrftimeModifier, strftimeToCharPattern, timeValueSql } from '../functions/strftime';
import type { CallOperand, ComparisonNode, FilterNode, Operand, SimpleOperand } from '../parser/filter.ast';
import { parseFilter } from '../parser/filter.parser';
import { CompileScope, FieldResolver, type ListRuleCompiler, type ResolvedOperand } from '../resolver/field.resolver';
import type { RequestContext } from '../resolver/request-context';
import { compareSql, jsonNumberSql, textToNumberSql } from './comparison.sql';
import { compiledKey, findCompiled, keepCompiled, readsOnlySchema } from './compiled-cache';
import { boolLiteral, NULL_OPERAND, ParamBag, quoteIdent } from './sql-operand';
import { NUMERIC_TEXT_PATTERN, textToMathNumber } from './sqlite-coercion';

/** What a compile needs besides the expression. */
export interface CompileOptions {
  lookup: CollectionLookup;
  /** The collection the expression filters (object, id or name). */
  collection: Collection | string;
  /** The request the rule/filter runs for; null or omitted: no request (all `@request.*` are NULL). */
  request?: RequestContext | null;
  /** true for API rules and superusers; false for a non-superuser's `?filter=`. Default false. */
  allowHiddenFields?: boolean;
  /** Default true. */
  allowRequestAndCollectionRefs?: boolean;
  /** SQL alias of the collection's table in the caller's query; default the collection name. */
  baseAlias?: string;
  /** Placeholders start at `$(paramOffset + 1)`, so the SQL can be appended to a query with its own params. */
  paramOffset?: number;
  /** The time the date macros read; default now. */
  now?: Date;
}

/** A parameterised SQL fragment: every value is in `params`, referenced as `$n`. */
export interface CompiledSql {
  sql: string;
  params: unknown[];
}

/** A resolver for `collection` within `scope`, with the options as compile and sort share them. */
export function createResolver(options: CompileOptions, collection: Collection, scope: CompileScope): FieldResolver {
  const request = options.request ?? null;
  const resolver = new FieldResolver(
    {
      lookup: options.lookup,
      request,
      allowRequestAndCollectionRefs: options.allowRequestAndCollectionRefs ?? true,
      collection,
      allowHiddenFields: options.allowHiddenFields ?? false,
      baseAlias: options.baseAlias ?? collection.name,
    },
    scope,
  );
  resolver.compileListRule = listRuleCompiler(options.lookup, request, options.now ?? new Date());
  return resolver;
}

/**
 * Compiles a joined collection's list rule as a self-contained condition on the joined row: as an
 * API rule (hidden fields, `@request.*` and `@collection.*` allowed, so it adds no list rules of
 * its own), with its joins in an `EXISTS` of their own and the caller's parameters.
 */
function listRuleCompiler(lookup: CollectionLookup, request: RequestContext | null, now: Date): ListRuleCompiler {
  return (collection, alias, outer) => {
    const scope = outer.child();
    const resolver = new FieldResolver(
      { lookup, request, collection, allowHiddenFields: true, allowRequestAndCollectionRefs: true, baseAlias: alias },
      scope,
    );
    const condition = new FilterCompiler(resolver, now).node(parseFilter(collection.listRule as string));
    return withJoins(scope, condition);
  };
}

/** The condition, inside one correlated `EXISTS` over the scope's joins when it has any. */
function withJoins(scope: CompileScope, condition: string): string {
  if (scope.joins.size === 0) return condition;
  const joins = [...scope.joins.values()].map((j) => j.sql).join(' ');
  return `EXISTS (SELECT 1 FROM (SELECT 1) AS "__hb_root" ${joins} WHERE ${condition})`;
}

/** An item failing an "every item" comparison; `ok` (` AND …`) is what a passing item must also meet. */
const failing = (condition: string, ok: string) => (ok ? `NOT ((${condition})${ok})` : `NOT (${condition})`);

export function resolveCollectionOrThrow(lookup: CollectionLookup, collection: Collection | string): Collection {
  if (typeof collection !== 'string') return collection;
  const found = lookup.find(collection);
  if (!found) throw new FilterResolveError(`Unknown collection "${collection}".`);
  return found;
}

/** Compiles trees within one scope; the listed-rule joins and `:changed` recurse through it. */
class FilterCompiler {
  constructor(
    private readonly resolver: FieldResolver,
    private readonly now: Date,
  ) {
    resolver.compileNested = (expression) => this.node(parseFilter(expression));
  }

  private get params(): ParamBag {
    return this.resolver.params;
  }

  node(node: FilterNode): string {
    if (node.type === 'logical') {
      const joiner = node.op === '&&' ? ' AND ' : ' OR ';
      return `(${node.items.map((item) => this.node(item)).join(joiner)})`;
    }
    return this.comparison(node);
  }

  private comparison(node: ComparisonNode): string {
    const left = this.operand(node.left);
    const right = this.operand(node.right);
    let sql = compareSql(node.op, left.value, right.value, this.params);
    if (!node.any && (left.multi || right.multi)) {
      // "every item": nothing among the items may fail the comparison (PocketBase's NOT EXISTS form)
      const a = this.resolver.scope.newAlias('s');
      const b = this.resolver.scope.newAlias('s');
      // an item whose email is hidden fails the comparison whatever its value
      const items = (multi: NonNullable<ResolvedOperand['multi']>, alias: string) => ({
        from: `(SELECT ${multi.value.sql} AS "v"${multi.visible ? `, ${multi.visible} AS "ok"` : ''} FROM ${multi.from}) AS ${quoteIdent(alias)}`,
        item: { ...multi.value, sql: `${quoteIdent(alias)}."v"` },
        ok: multi.visible ? ` AND ${quoteIdent(alias)}."ok"` : '',
      });
      let inner: string;
      if (left.multi && right.multi) {
        const l = items(left.multi, a);
        const r = items(right.multi, b);
        inner = `SELECT 1 FROM ${l.from} LEFT JOIN ${r.from} ON TRUE WHERE ${failing(compareSql(node.op, l.item, r.item, this.params), l.ok + r.ok)}`;
      } else {
        const m = items((left.multi ?? right.multi) as NonNullable<ResolvedOperand['multi']>, a);
        const condition = left.multi
          ? compareSql(node.op, m.item, right.value, this.params)
          : compareSql(node.op, left.value, m.item, this.params);
        inner = `SELECT 1 FROM ${m.from} WHERE ${failing(condition, m.ok)}`;
      }
      sql = `(${sql} AND NOT EXISTS (${inner}))`;
    }
    const visible = [left.visible, right.visible].filter((v) => v !== undefined);
    return visible.length ? `((${sql}) AND ${visible.join(' AND ')})` : sql;
  }

  operand(operand: Operand): ResolvedOperand {
    switch (operand.type) {
      case 'field':
        return this.resolver.resolve(operand.name);
      case 'text':
        return { value: this.params.text(operand.value) };
      case 'number':
        return { value: this.params.number(operand.value) };
      case 'bool':
        return { value: boolLiteral(operand.value) };
      case 'null':
        return { value: NULL_OPERAND };
      case 'macro': {
        const value = macroValue(operand.name, this.now);
        return { value: typeof value === 'number' ? this.params.number(value) : this.params.text(value) };
      }
      case 'call':
        return operand.name === 'geoDistance' ? this.geoDistance(operand) : this.strftime(operand);
    }
  }

  /** A function argument: a hidden email reads as NULL there. */
  private simple(operand: SimpleOperand): ResolvedOperand {
    const resolved = this.operand(operand);
    if (!resolved.visible) return resolved;
    const { param: _, ...value } = resolved.value;
    return { value: { ...value, sql: `(CASE WHEN ${resolved.visible} THEN ${value.sql} END)`, nullable: true } };
  }

  /** A numeric argument for math: text is read as a number (0 when not numeric), as SQLite does. */
  private mathArgument(operand: SimpleOperand, index: number): string {
    if (operand.type !== 'field' && operand.type !== 'number' && operand.type !== 'null') {
      throw new FilterResolveError(`geoDistance: argument ${index + 1} must be a field or a number.`);
    }
    const { value } = this.simple(operand);
    switch (value.cls) {
      case 'null':
        return 'NULL::double precision';
      case 'num':
        return value.bool ? `(${value.sql})::int` : value.sql;
      case 'text':
        if (value.param && typeof value.param.value === 'string') {
          return `${this.params.add(textToMathNumber(value.param.value))}::double precision`;
        }
        // NULL (a missing joined row, a hidden email) stays NULL, as in SQLite's arithmetic
        return `(CASE WHEN ${value.sql} ~ '${NUMERIC_TEXT_PATTERN}' THEN (${value.sql})::double precision WHEN ${value.sql} IS NOT NULL THEN 0 END)`;
      case 'json':
        return `(CASE jsonb_typeof(${value.sql}) WHEN 'number' THEN ${jsonNumberSql(value.sql)} WHEN 'string' THEN ${textToNumberSql(`(${value.sql} #>> '{}')`)} END)`;
    }
  }

  private geoDistance(call: CallOperand): ResolvedOperand {
    if (call.args.length !== 4) {
      throw new FilterResolveError(
        `geoDistance expects 4 arguments (lonA, latA, lonB, latB), got ${call.args.length}.`,
      );
    }
    // Trigonometry rejects infinities: a non-finite argument makes the distance NULL. Postgres
    // also raises "underflow" when a product of tiny values rounds to zero, so coordinates
    // below GEO_EPSILON_DEGREES (far below a millimetre) count as 0, in the evaluator too.
    const finite = (x: string) =>
      `(SELECT CASE WHEN abs("v") < ${GEO_EPSILON_DEGREES} THEN 0 ELSE "v" END FROM (SELECT NULLIF(NULLIF(NULLIF(${x}, 'Infinity'::double precision), '-Infinity'::double precision), 'NaN'::double precision) AS "v") AS "__hb_arg")`;
    const [lonA, latA, lonB, latB] = call.args.map((arg, i) => finite(this.mathArgument(arg, i))) as [
      string,
      string,
      string,
      string,
    ];
    const cosine = `cos(radians(${latA})) * cos(radians(${latB})) * cos(radians(${lonB}) - radians(${lonA})) + sin(radians(${latA})) * sin(radians(${latB}))`;
    // clamp rounding overshoot into acos' domain (LEAST/GREATEST would also turn NULL into a bound)
    const sql = `(SELECT 6371 * acos(CASE WHEN "c" > 1 THEN 1 WHEN "c" < -1 THEN -1 ELSE "c" END) FROM (SELECT ${cosine} AS "c") AS "__hb_geo")`;
    return { value: { cls: 'num', sql, affinity: 'none', nullable: true, noCoalesce: true } };
  }

  private strftime(call: CallOperand): ResolvedOperand {
    const [format, time, ...modifiers] = call.args;
    if (format?.type !== 'text') {
      throw new FilterResolveError('strftime expects a format text as first argument.');
    }
    const pattern = `${this.params.add(strftimeToCharPattern(format.value))}::text`;
    let timeSql: string;
    if (!time || (time.type === 'text' && time.value.toLowerCase() === 'now')) {
      timeSql = `${this.params.add(pbDateTime(this.now))}::text`;
    } else {
      const { value } = this.simple(time);
      if (value.cls === 'null') timeSql = 'NULL::text';
      else if (value.cls === 'text') timeSql = value.sql;
      else throw new FilterResolveError('strftime: the time value must be a date text or a date field.');
    }
    let ts = timeValueSql(timeSql);
    for (const modifier of modifiers) {
      if (modifier.type !== 'text') throw new FilterResolveError('strftime: modifiers must be text literals.');
      const parsed = parseStrftimeModifier(modifier.value);
      ts = `(date_trunc(COALESCE(${this.params.add(parsed.trunc)}::text, 'microseconds'), ${ts}) + ${this.params.add(parsed.interval)}::interval)`;
    }
    return {
      value: { cls: 'text', sql: `COALESCE(to_char(${ts}, ${pattern}), '')`, affinity: 'none', nullable: false },
    };
  }
}

/**
 * Compiles a filter or rule (text or AST) into a parameterised Postgres boolean expression over
 * the base table alias. Relation, back-relation, `@request.auth.*` and `@collection` access is
 * wrapped in one correlated `EXISTS (…)`, so the caller's query never gets extra rows.
 */
export function compileFilter(input: string | FilterNode, options: CompileOptions): CompiledSql {
  // What reads only the schema compiles once per collection version (issue 14: list filters and
  // request-free rules are the same text request after request). A text found there parsed.
  const key = typeof input === 'string' ? compiledKey('filter', input, options) : null;
  const hit = key === null ? undefined : findCompiled(options, key);
  if (hit) return hit;
  const ast = typeof input === 'string' ? parseFilter(input) : input;
  const collection = resolveCollectionOrThrow(options.lookup, options.collection);
  const scope = new CompileScope(new ParamBag(options.paramOffset ?? 0));
  const now = options.now ?? new Date();
  const resolver = createResolver({ ...options, now }, collection, scope);
  const applied = trackListRules(resolver);
  const result = scope.params.finish(withJoins(scope, new FilterCompiler(resolver, now).node(ast)));
  if (key !== null && !applied.any && readsOnlySchema(ast)) keepCompiled(options.lookup, collection, key, result);
  return result;
}

/** Notes whether `resolver` applied a joined collection's list rule (which may read the request). */
export function trackListRules(resolver: FieldResolver): { any: boolean } {
  const applied = { any: false };
  const compile = resolver.compileListRule;
  if (compile) {
    resolver.compileListRule = (...args) => {
      applied.any = true;
      return compile(...args);
    };
  }
  return applied;
}
