import { pbDateTime } from '@hivebase/contracts';
import {
  type Collection,
  type CollectionLookup,
  type Field,
  isAuthCollection,
  isListField,
  isMultiValue,
  storageKindOf,
} from '@hivebase/schema';
import { FilterForbiddenFieldError, FilterResolveError } from '../errors/filter.errors';
import { macroValue } from '../functions/macros';
import {
  applyStrftimeModifier,
  formatStrftime,
  geoDistanceKm,
  parseStrftimeModifier,
  parseTimeValue,
} from '../functions/strftime';
import type { CallOperand, ComparisonNode, FilterNode, Operand, SimpleOperand } from '../parser/filter.ast';
import { parseFilter } from '../parser/filter.parser';
import {
  classifyRequestPath,
  type FieldModifier,
  findField,
  MAX_NESTED_RELATIONS,
  splitBodyPath,
  splitModifier,
} from '../resolver/field.resolver';
import {
  extractNested,
  normalizeStaticValue,
  PLAIN_AUTH_FIELDS,
  plainAuthValue,
  type RequestContext,
  toList,
} from '../resolver/request-context';
import { compileFilter } from '../sql/filter.compiler';
import { sanitizeText, textToComparableNumber, textToMathNumber } from '../sql/sqlite-coercion';
import { type EvalOperand, evalCompare, type Tri } from './value-compare';

/** The answer of the in-memory evaluator; `'unknown'` means only the database can tell. */
export type EvaluationResult = true | false | 'unknown';

export interface EvaluateOptions {
  collection: Collection;
  /** Needed only to validate names of other collections; omitted, such names evaluate to 'unknown'. */
  lookup?: CollectionLookup;
  /** The record's field values as the record layer holds them (lists as arrays, json parsed). */
  record: Record<string, unknown>;
  request?: RequestContext | null;
  allowHiddenFields?: boolean;
  now?: Date;
}

/** Thrown inside the evaluator when an operand needs the database. */
class NeedsDatabase extends Error {}

const MAX_COMBINATIONS = 10_000;

interface EvalResolved {
  /** Main-scope value; joined rows pick from `rows` by key. */
  value: (pick: Map<string, number>) => EvalOperand;
  multi?: EvalOperand[];
  afterBuild?: (result: Tri) => Tri;
  /** An email the caller may not see: NULL as a function argument (as the SQL's CASE). */
  hidden?: boolean;
}

const NULL_VALUE: EvalOperand = { cls: 'null', value: null, affinity: 'none', nullable: true };
const textParam = (value: string): EvalOperand => ({
  cls: 'text',
  value: sanitizeText(value),
  affinity: 'none',
  nullable: false,
  param: true,
});
const numberParam = (value: number): EvalOperand => ({
  cls: 'num',
  value,
  affinity: 'none',
  nullable: false,
  param: true,
});
const constant = (o: EvalOperand) => () => o;

/** A record value as the SQL column would hold it. */
function columnValue(field: Field, raw: unknown): EvalOperand {
  switch (storageKindOf(field)) {
    case 'number':
      return {
        cls: 'num',
        value: typeof raw === 'number' ? raw : Number(raw ?? 0) || 0,
        affinity: 'numeric',
        nullable: false,
      };
    case 'bool':
      return { cls: 'num', value: raw ? 1 : 0, affinity: 'numeric', nullable: false, bool: 'column' };
    case 'textList':
      return { cls: 'text', value: JSON.stringify(toList(raw).map(String)), affinity: 'text', nullable: false };
    case 'json':
    case 'geoPoint':
      return { cls: 'json', value: raw === undefined ? null : raw, affinity: 'none', nullable: true, noCoalesce: true };
    default:
      return {
        cls: 'text',
        value: raw === null || raw === undefined ? '' : String(raw),
        affinity: 'text',
        nullable: false,
      };
  }
}

function lower(o: EvalOperand): EvalOperand {
  let text: string | null;
  if (o.value === null || o.value === undefined) text = null;
  else if (o.cls === 'num') text = o.bool ? (o.value ? '1' : '0') : String(o.value);
  else if (o.cls === 'json') text = typeof o.value === 'string' ? o.value : JSON.stringify(o.value);
  else text = String(o.value);
  return { cls: 'text', value: text === null ? null : text.toLowerCase(), affinity: 'none', nullable: o.nullable };
}

class Evaluator {
  readonly rows = new Map<string, EvalOperand[]>();
  private readonly request: RequestContext | null;
  private readonly allowHidden: boolean;
  private readonly now: Date;
  private readonly resolved = new Map<Operand, EvalResolved>();

  constructor(private readonly options: EvaluateOptions) {
    this.request = options.request ?? null;
    this.allowHidden = options.allowHiddenFields ?? false;
    this.now = options.now ?? new Date();
  }

  prepare(node: FilterNode): void {
    if (node.type === 'logical') {
      for (const item of node.items) this.prepare(item);
      return;
    }
    const inexact = [node.left, node.right].some((o) => o.type === 'call' && o.name === 'geoDistance');
    if (inexact && node.op !== '<' && node.op !== '<=' && node.op !== '>' && node.op !== '>=') {
      // trigonometry differs in the last bits between Postgres and V8: exact equality or the
      // digits of a distance are the database's call
      throw new NeedsDatabase();
    }
    for (const operand of [node.left, node.right]) this.resolved.set(operand, this.operand(operand));
  }

  evaluate(node: FilterNode, pick: Map<string, number>): Tri {
    if (node.type === 'logical') {
      let sawNull = false;
      for (const item of node.items) {
        const r = this.evaluate(item, pick);
        if (node.op === '&&' && r === false) return false;
        if (node.op === '||' && r === true) return true;
        if (r === null) sawNull = true;
      }
      return sawNull ? null : node.op === '&&';
    }
    return this.comparison(node, pick);
  }

  private comparison(node: ComparisonNode, pick: Map<string, number>): Tri {
    const left = this.resolved.get(node.left) as EvalResolved;
    const right = this.resolved.get(node.right) as EvalResolved;
    const l = left.value(pick);
    const r = right.value(pick);
    let result = evalCompare(node.op, l, r);
    if (!node.any && (left.multi || right.multi)) {
      // every item must pass: an item whose comparison is FALSE (not NULL) fails the whole
      let failing = false;
      if (left.multi && right.multi) {
        failing = left.multi.some((a) =>
          (right.multi as EvalOperand[]).some((b) => evalCompare(node.op, a, b) === false),
        );
      } else if (left.multi) failing = left.multi.some((a) => evalCompare(node.op, a, r) === false);
      else failing = (right.multi as EvalOperand[]).some((b) => evalCompare(node.op, l, b) === false);
      result = result === false || failing ? false : result === null ? null : true;
    }
    if (left.afterBuild) result = left.afterBuild(result);
    if (right.afterBuild) result = right.afterBuild(result);
    return result;
  }

  private operand(operand: Operand): EvalResolved {
    switch (operand.type) {
      case 'field':
        return this.field(operand.name);
      case 'text':
        return { value: constant(textParam(operand.value)) };
      case 'number':
        return { value: constant(numberParam(operand.value)) };
      case 'bool':
        return {
          value: constant({
            cls: 'num',
            value: operand.value ? 1 : 0,
            affinity: 'none',
            nullable: false,
            bool: 'literal',
          }),
        };
      case 'null':
        return { value: constant(NULL_VALUE) };
      case 'macro': {
        const v = macroValue(operand.name, this.now);
        return { value: constant(typeof v === 'number' ? numberParam(v) : textParam(v)) };
      }
      case 'call':
        return operand.name === 'geoDistance' ? this.geoDistance(operand) : this.strftime(operand);
    }
  }

  private staticValue(found: boolean, raw: unknown, modifier: FieldModifier | null, numberField = false): EvalResolved {
    if (modifier === 'isset') {
      return {
        value: constant({ cls: 'num', value: found ? 1 : 0, affinity: 'none', nullable: false, bool: 'literal' }),
      };
    }
    if (modifier !== null && modifier !== 'lower') {
      throw new FilterResolveError(`The ":${modifier}" modifier does not apply to this request value.`);
    }
    let value = normalizeStaticValue(found ? raw : null);
    if (value === null) return { value: constant(NULL_VALUE) };
    if (numberField && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
      value = Number(value);
    }
    if (modifier === 'lower') return { value: constant(lower(textParam(String(value)))) };
    return { value: constant(typeof value === 'number' ? numberParam(value) : textParam(value)) };
  }

  private field(name: string): EvalResolved {
    const props = name.split('.');
    if (props.some((p) => p === '')) throw new FilterResolveError(`Invalid field path "${name}".`);
    const head = props[0] as string;
    if (head === '@collection') {
      if (props.length < 3) throw new FilterResolveError(`Invalid @collection path "${name}".`);
      throw new NeedsDatabase();
    }
    if (head === '@request') return this.requestField(name, props);
    if (head.startsWith('@') || head.startsWith('#')) throw new FilterResolveError(`Unknown identifier "${name}".`);
    return this.recordPath(this.options.collection, this.options.record, props, 'base', false);
  }

  private requestField(name: string, props: string[]): EvalResolved {
    const path = classifyRequestPath(name, props, this.request);
    if (!path) return { value: constant(NULL_VALUE) };
    if (path.kind === 'value') return this.staticValue(path.found, path.value, path.modifier);
    return path.kind === 'body' ? this.bodyField(props) : this.authField(props);
  }

  private authField(props: string[]): EvalResolved {
    const request = this.request as RequestContext;
    const auth = request.auth;
    if (!auth) return { value: constant(NULL_VALUE) };
    const rest = props.slice(2);
    if (rest.length === 1 && PLAIN_AUTH_FIELDS.includes(rest[0] as string)) {
      return this.staticValue(true, plainAuthValue(auth, rest[0] as string), null);
    }
    if (!this.allowHidden) {
      if (auth.collection.listRule === null) {
        throw new FilterForbiddenFieldError(`Fields of "${auth.collection.name}" can be filtered only by superusers.`);
      }
      if (auth.collection.listRule) throw new NeedsDatabase();
    }
    // the auth record is a joined row in SQL: missing fields read as NULL there
    return this.recordPath(auth.collection, auth.record, rest, 'auth', true);
  }

  private bodyField(props: string[]): EvalResolved {
    const request = this.request as RequestContext;
    const { first, field, last, path } = splitBodyPath(this.options.collection, props);
    if (!field) {
      if (props.length > 3 && first.modifier) throw new FilterResolveError(`Invalid field path "${props.join('.')}".`);
      const { found, value } = extractNested(request.body, path);
      return this.staticValue(found, value, last.modifier);
    }
    if (field.type === 'relation' && props.length > 3) {
      const ids = toList(request.body[field.name]).filter((v) => v !== null && v !== undefined && v !== '');
      if (ids.length === 0) return { value: constant(NULL_VALUE) };
      throw new NeedsDatabase();
    }
    const found = Object.hasOwn(request.body, field.name);
    const raw = request.body[field.name];
    if (props.length === 3) {
      switch (first.modifier) {
        case 'each': {
          if (!isListField(field)) throw new FilterResolveError(`Field "${field.name}" does not support ":each".`);
          const items: EvalOperand[] = toList(raw).map((item) => {
            const v = normalizeStaticValue(item);
            return {
              cls: 'text',
              value: v === null ? null : sanitizeText(String(v)),
              affinity: 'none',
              nullable: true,
            };
          });
          return this.joinedItems(`body-each:${field.name}`, items, isMultiValue(field));
        }
        case 'length':
          if (!isListField(field)) throw new FilterResolveError(`Field "${field.name}" does not support ":length".`);
          return { value: constant(numberParam(toList(raw).length)) };
        case 'lower':
          return {
            value: constant(
              lower(textParam(raw === null || raw === undefined ? '' : String(normalizeStaticValue(raw)))),
            ),
          };
        case 'changed': {
          const f = field.name;
          const ast = parseFilter(`@request.body.${f}:isset = true && @request.body.${f} != ${f}`);
          const nested = new Evaluator(this.options);
          nested.prepare(ast);
          const r = nested.evaluate(ast, new Map());
          const value = r === null ? null : r ? 1 : 0;
          return { value: constant({ cls: 'num', value, affinity: 'none', nullable: true, noCoalesce: true }) };
        }
        default:
          break;
      }
    }
    const { found: nestedFound, value } = extractNested(request.body, path);
    return this.staticValue(props.length === 3 ? found : nestedFound, value, last.modifier, field.type === 'number');
  }

  /** A field path on one record (the base record or the auth record); relation hops need the database. */
  private recordPath(
    collection: Collection,
    record: Record<string, unknown>,
    props: string[],
    key: string,
    nullify: boolean,
  ): EvalResolved {
    const checkHidden = (field: Field) => {
      if (field.hidden && !this.allowHidden) {
        throw new FilterForbiddenFieldError(`Field "${field.name}" of "${collection.name}" cannot be filtered.`);
      }
    };
    if (props.length > 1) {
      const first = props[0] as string;
      if (first.includes(':')) throw new FilterResolveError(`A modifier may only end a field path ("${first}").`);
      const field = findField(collection, first);
      if (field) checkHidden(field);
      if (field && (field.type === 'json' || field.type === 'geoPoint'))
        return this.jsonPath(field, record, props.slice(1));
      if (!field && !/^(\w+)_via_(\w+)$/.test(first)) {
        if (nullify) return { value: constant(NULL_VALUE) };
        throw new FilterResolveError(`Unknown field "${first}" in "${collection.name}".`);
      }
      if (field && field.type !== 'relation') {
        throw new FilterResolveError(`Field "${first}" of "${collection.name}" is not a relation.`);
      }
      if (props.length - 1 > MAX_NESTED_RELATIONS) throw new NeedsDatabase();
      if (field && field.type === 'relation' && !isMultiValue(field) && props.length === 2 && props[1] === 'id') {
        return this.recordPath(collection, record, [first], key, nullify);
      }
      throw new NeedsDatabase();
    }
    const { name, modifier } = splitModifier(props[0] as string);
    const field = findField(collection, name);
    if (!field) {
      if (nullify) return { value: constant(NULL_VALUE) };
      throw new FilterResolveError(`Unknown field "${name}" in "${collection.name}".`);
    }
    checkHidden(field);
    if (modifier === 'isset' || modifier === 'changed') {
      throw new FilterResolveError(`The ":${modifier}" modifier applies only to @request.body fields.`);
    }
    const raw = record[field.name];
    if (modifier === 'length') {
      if (!isListField(field)) throw new FilterResolveError(`Field "${name}" does not support ":length".`);
      const length = isMultiValue(field) ? toList(raw).length : raw === null || raw === undefined || raw === '' ? 0 : 1;
      return { value: constant({ cls: 'num', value: length, affinity: 'none', nullable: false }) };
    }
    if (modifier === 'each') {
      if (!isListField(field)) throw new FilterResolveError(`Field "${name}" does not support ":each".`);
      if (!isMultiValue(field)) {
        return { value: constant({ cls: 'text', value: String(raw ?? ''), affinity: 'none', nullable: false }) };
      }
      const items: EvalOperand[] = toList(raw).map((v) => ({
        cls: 'text',
        value: String(v),
        affinity: 'none',
        nullable: true,
      }));
      return this.joinedItems(`${key}/${name}:each`, items, true);
    }
    const value = columnValue(field, raw);
    const result: EvalResolved = { value: constant(modifier === 'lower' ? lower(value) : value) };
    if (field.name === 'email' && !this.allowHidden && isAuthCollection(collection)) {
      const visible = record.emailVisibility === true;
      result.afterBuild = (r) => (r === false || !visible ? false : r);
      result.hidden = !visible;
    }
    return result;
  }

  /** Items of a LEFT JOIN: an empty list still yields one NULL row, as in SQL. */
  private joinedItems(key: string, items: EvalOperand[], multi: boolean): EvalResolved {
    const rows = items.length ? items : [{ cls: 'text', value: null, affinity: 'none', nullable: true } as EvalOperand];
    this.rows.set(key, rows);
    const result: EvalResolved = { value: (pick) => rows[pick.get(key) ?? 0] as EvalOperand };
    if (multi) result.multi = rows;
    return result;
  }

  private jsonPath(field: Field, record: Record<string, unknown>, rest: string[]): EvalResolved {
    if (rest.some((p) => p.includes(':') || !/^\w+$/.test(p))) {
      throw new FilterResolveError(`Invalid json path "${[field.name, ...rest].join('.')}".`);
    }
    const raw = record[field.name];
    if (field.type === 'geoPoint') {
      if (rest.length !== 1 || (rest[0] !== 'lon' && rest[0] !== 'lat')) {
        throw new FilterResolveError(`A geoPoint field has only "lon" and "lat" ("${field.name}.${rest.join('.')}").`);
      }
      const point = (raw ?? { lon: 0, lat: 0 }) as Record<string, unknown>;
      const v = point[rest[0] as string];
      return {
        value: constant({
          cls: 'num',
          value: typeof v === 'number' ? v : null,
          affinity: 'none',
          nullable: false,
          noCoalesce: true,
        }),
      };
    }
    const { found, value } = extractNested(raw, rest);
    return {
      value: constant({ cls: 'json', value: found ? value : null, affinity: 'none', nullable: true, noCoalesce: true }),
    };
  }

  private mathArgument(operand: SimpleOperand, index: number): number | null {
    if (operand.type !== 'field' && operand.type !== 'number' && operand.type !== 'null') {
      throw new FilterResolveError(`geoDistance: argument ${index + 1} must be a field or a number.`);
    }
    const resolved = this.operand(operand);
    if (resolved.hidden) return null;
    const v = resolved.value(new Map());
    if (v.value === null || v.value === undefined) return null;
    switch (v.cls) {
      case 'num':
        return Number(v.value);
      case 'text':
        return textToMathNumber(v.value as string);
      case 'json':
        return typeof v.value === 'number'
          ? v.value
          : typeof v.value === 'string'
            ? textToComparableNumber(v.value)
            : null;
      default:
        return null;
    }
  }

  private geoDistance(call: CallOperand): EvalResolved {
    if (call.args.length !== 4) {
      throw new FilterResolveError(
        `geoDistance expects 4 arguments (lonA, latA, lonB, latB), got ${call.args.length}.`,
      );
    }
    const args = call.args.map((a, i) => {
      const v = this.mathArgument(a, i);
      return v !== null && Number.isFinite(v) ? v : null;
    });
    const value = args.some((a) => a === null) ? null : geoDistanceKm(...(args as [number, number, number, number]));
    return { value: constant({ cls: 'num', value, affinity: 'none', nullable: true, noCoalesce: true }) };
  }

  private strftime(call: CallOperand): EvalResolved {
    const [format, time, ...modifiers] = call.args;
    if (format?.type !== 'text') {
      throw new FilterResolveError('strftime expects a format text as first argument.');
    }
    formatStrftime(format.value, this.now); // validates the format like the compiler does
    let text: string | null;
    if (!time || (time.type === 'text' && time.value.toLowerCase() === 'now')) text = pbDateTime(this.now);
    else {
      const resolved = this.operand(time);
      const v = resolved.value(new Map());
      if (v.cls === 'null' || resolved.hidden) text = null;
      else if (v.cls === 'text') text = v.value as string | null;
      else throw new FilterResolveError('strftime: the time value must be a date text or a date field.');
    }
    const parsedModifiers = modifiers.map((m) => {
      if (m.type !== 'text') throw new FilterResolveError('strftime: modifiers must be text literals.');
      return parseStrftimeModifier(m.value);
    });
    let date = text === null ? null : parseTimeValue(text);
    for (const m of parsedModifiers) if (date) date = applyStrftimeModifier(date, m);
    const value = date && !Number.isNaN(date.getTime()) ? formatStrftime(format.value, date) : '';
    return { value: constant({ cls: 'text', value, affinity: 'none', nullable: false }) };
  }
}

/**
 * Evaluates a filter against one record and request in memory, with the same truth value the SQL
 * would give. Answers `'unknown'` for what needs the database (relation hops, back-relations,
 * `@collection`, joined list rules). Invalid names throw the same errors as `compileFilter`.
 */
export function evaluateFilter(input: string | FilterNode, options: EvaluateOptions): EvaluationResult {
  const ast = typeof input === 'string' ? parseFilter(input) : input;
  const evaluator = new Evaluator(options);
  try {
    evaluator.prepare(ast);
  } catch (error) {
    if (!(error instanceof NeedsDatabase)) throw error;
    // the database would have to answer; compiling still reports invalid names the same way
    if (options.lookup) {
      compileFilter(ast, {
        lookup: options.lookup,
        collection: options.collection,
        request: options.request ?? null,
        allowHiddenFields: options.allowHiddenFields ?? false,
        now: options.now,
      });
    }
    return 'unknown';
  }
  const keys = [...evaluator.rows.keys()];
  const sizes = keys.map((k) => (evaluator.rows.get(k) as EvalOperand[]).length);
  const total = sizes.reduce((a, b) => a * b, 1);
  if (total > MAX_COMBINATIONS) return 'unknown';
  // the SQL is an EXISTS over every combination of joined rows: true if any combination passes
  const pick = new Map<string, number>(keys.map((k) => [k, 0]));
  for (let n = 0; n < total; n++) {
    let rest = n;
    keys.forEach((k, i) => {
      pick.set(k, rest % (sizes[i] as number));
      rest = Math.floor(rest / (sizes[i] as number));
    });
    if (evaluator.evaluate(ast, pick) === true) return true;
  }
  return false;
}
