import type { Collection, CollectionLookup } from '@hivebase/schema';
import { FilterResolveError } from '../errors/filter.errors';
import { formatPbDate, macroValue } from '../functions/macros';
import { GEO_EPSILON_DEGREES, parseStrftimeModifier, strftimeToCharPattern, timeValueSql } from '../functions/strftime';
import type { CallOperand, ComparisonNode, FilterNode, Operand, SimpleOperand } from '../parser/filter.ast';
import { parseFilter } from '../parser/filter.parser';
import { CompileScope, FieldResolver, type ResolvedOperand } from '../resolver/field.resolver';
import type { RequestContext } from '../resolver/request-context';
import { compareSql, jsonNumberSql, textToNumberSql } from './comparison.sql';
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

/**
 * A resolver for `collection` within `scope`, with the options as compile and sort share them;
 * `common` is what the list-rule joins resolve with too.
 */
export function createResolver(options: CompileOptions, collection: Collection, scope: CompileScope) {
  const common = {
    lookup: options.lookup,
    request: options.request ?? null,
    allowRequestAndCollectionRefs: options.allowRequestAndCollectionRefs ?? true,
  };
  const resolver = new FieldResolver(
    {
      ...common,
      collection,
      allowHiddenFields: options.allowHiddenFields ?? false,
      baseAlias: options.baseAlias ?? collection.name,
    },
    scope,
  );
  return { resolver, common };
}

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
      let inner: string;
      if (left.multi && right.multi) {
        const l = { ...left.multi.value, sql: `${quoteIdent(a)}."v"` };
        const r = { ...right.multi.value, sql: `${quoteIdent(b)}."v"` };
        inner = `SELECT 1 FROM (SELECT ${left.multi.value.sql} AS "v" FROM ${left.multi.from}) AS ${quoteIdent(a)} LEFT JOIN (SELECT ${right.multi.value.sql} AS "v" FROM ${right.multi.from}) AS ${quoteIdent(b)} ON TRUE WHERE NOT (${compareSql(node.op, l, r, this.params)})`;
      } else {
        const multi = (left.multi ?? right.multi) as NonNullable<ResolvedOperand['multi']>;
        const item = { ...multi.value, sql: `${quoteIdent(a)}."v"` };
        const condition = left.multi
          ? compareSql(node.op, item, right.value, this.params)
          : compareSql(node.op, left.value, item, this.params);
        inner = `SELECT 1 FROM (SELECT ${multi.value.sql} AS "v" FROM ${multi.from}) AS ${quoteIdent(a)} WHERE NOT (${condition})`;
      }
      sql = `(${sql} AND NOT EXISTS (${inner}))`;
    }
    if (left.afterBuild) sql = left.afterBuild(sql);
    if (right.afterBuild) sql = right.afterBuild(sql);
    return sql;
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

  private simple(operand: SimpleOperand): ResolvedOperand {
    return this.operand(operand);
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
        return `(CASE WHEN ${value.sql} ~ '${NUMERIC_TEXT_PATTERN}' THEN (${value.sql})::double precision ELSE 0 END)`;
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
      timeSql = `${this.params.add(formatPbDate(this.now))}::text`;
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
  const ast = typeof input === 'string' ? parseFilter(input) : input;
  const collection = resolveCollectionOrThrow(options.lookup, options.collection);
  const scope = new CompileScope(new ParamBag(options.paramOffset ?? 0));
  const now = options.now ?? new Date();
  const { resolver, common } = createResolver(options, collection, scope);
  const where = [new FilterCompiler(resolver, now).node(ast), ...listRuleConditions(scope, common, now)];
  const condition = where.join(' AND ');
  if (scope.joins.size === 0) return scope.params.finish(condition);
  const joins = [...scope.joins.values()].map((j) => j.sql).join(' ');
  return scope.params.finish(`EXISTS (SELECT 1 FROM (SELECT 1) AS "__hb_root" ${joins} WHERE ${condition})`);
}

type CommonResolverOptions = Pick<
  ConstructorParameters<typeof FieldResolver>[0],
  'lookup' | 'request' | 'allowRequestAndCollectionRefs'
>;

/** The list rules of collections a non-superuser's expression joined, each against its join alias. */
export function listRuleConditions(scope: CompileScope, common: CommonResolverOptions, now: Date): string[] {
  const conditions: string[] = [];
  // rules compile with hidden fields allowed, so they add no further list-rule joins
  for (let i = 0; i < scope.listRuleJoins.length; i++) {
    const { alias, collection } = scope.listRuleJoins[i] as (typeof scope.listRuleJoins)[number];
    const resolver = new FieldResolver({ ...common, collection, allowHiddenFields: true, baseAlias: alias }, scope);
    conditions.push(new FilterCompiler(resolver, now).node(parseFilter(collection.listRule as string)));
  }
  return conditions;
}
