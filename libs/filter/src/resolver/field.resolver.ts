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
import { boolLiteral, NULL_OPERAND, type ParamBag, quoteIdent, type SqlOperand } from '../sql/sql-operand';
import {
  extractNested,
  normalizeHeaders,
  normalizeStaticValue,
  PLAIN_AUTH_FIELDS,
  plainAuthValue,
  type RequestContext,
  toList,
} from './request-context';

/** PocketBase's limit on relation hops in one field path. */
export const MAX_NESTED_RELATIONS = 6;
export const FIELD_MODIFIERS = ['isset', 'changed', 'length', 'each', 'lower'] as const;
export type FieldModifier = (typeof FIELD_MODIFIERS)[number];

/**
 * A resolved field: its value in the main scope and, for multi-value sources (multiple relations,
 * back-relations, `:each`, `@collection`), a subquery listing every item, used for "all items" checks.
 */
export interface ResolvedOperand {
  value: SqlOperand;
  /** `visible`: as `ResolvedOperand.visible`, for the item in `from`. */
  multi?: { from: string; value: SqlOperand; visible?: string };
  /**
   * A condition a comparison with this operand must also meet: an auth record's `email` counts
   * only where `emailVisibility` is true (non-superuser filters), or every comparison is false.
   */
  visible?: string;
}

export interface FieldResolverOptions {
  lookup: CollectionLookup;
  collection: Collection;
  /** null: no request (internal use); every `@request.*` is then NULL. */
  request: RequestContext | null;
  /** Rules and superusers: true. A non-superuser's client filter: false. */
  allowHiddenFields: boolean;
  /** false refuses `@request.*` and `@collection.*` (e.g. for contexts without a request). */
  allowRequestAndCollectionRefs: boolean;
  /** The SQL alias of the base collection's table in the caller's query. */
  baseAlias: string;
}

interface JoinEntry {
  alias: string;
  sql: string;
}

/** Joins, aliases and parameters shared by everything compiled into one WHERE expression. */
export class CompileScope {
  readonly joins = new Map<string, JoinEntry>();
  private readonly counter: { next: number };
  constructor(
    readonly params: ParamBag,
    parent?: CompileScope,
  ) {
    this.counter = parent ? parent.counter : { next: 0 };
  }

  /**
   * A scope for a self-contained sub-expression (a joined collection's list rule): its own joins,
   * the same parameters, and aliases that never shadow the outer ones it refers to.
   */
  child(): CompileScope {
    return new CompileScope(this.params, this);
  }

  newAlias(prefix: string): string {
    return `__hb_${prefix}${++this.counter.next}`;
  }
}

/** Compiles `collection`'s list rule as a condition on the joined row `alias` (set by the compiler). */
export type ListRuleCompiler = (collection: Collection, alias: string, scope: CompileScope) => string;

interface Walk {
  collection: Collection;
  alias: string;
  mmAlias: string;
  mmJoins: string[];
  multi: boolean;
  key: string;
  nullable: boolean;
  nullifyMissing: boolean;
}

const VIA_RE = /^(\w+)_via_(\w+)$/;
const ID_FIELD: Field = {
  id: '__id',
  name: 'id',
  type: 'text',
  system: true,
  hidden: false,
  presentable: false,
  required: true,
  min: 0,
  max: 0,
  pattern: '',
  autogeneratePattern: '',
  primaryKey: true,
};

/** A field by name; `id` is implied when the metadata does not list it. */
export function findField(collection: Collection, name: string): Field | undefined {
  const field = collection.fields.find((f) => f.name === name);
  if (field) return field;
  return name === 'id' ? ID_FIELD : undefined;
}

/** `name:modifier` → its parts; an unknown modifier is an error. */
export function splitModifier(prop: string): { name: string; modifier: FieldModifier | null } {
  const index = prop.indexOf(':');
  if (index < 0) return { name: prop, modifier: null };
  const name = prop.slice(0, index);
  const modifier = prop.slice(index + 1);
  if (!(FIELD_MODIFIERS as readonly string[]).includes(modifier)) {
    throw new FilterResolveError(`Unknown modifier in "${prop}" (known: ${FIELD_MODIFIERS.join(', ')}).`);
  }
  return { name, modifier: modifier as FieldModifier };
}

const REQUEST_SECTIONS = ['context', 'method', 'headers', 'query', 'body', 'auth'];

/** An `@request.*` path, checked: a value read straight off the request, or a section to resolve further. */
export type RequestPath =
  | { kind: 'value'; found: boolean; value: unknown; modifier: FieldModifier | null }
  | { kind: 'body' | 'auth' };

/**
 * Validates `@request.<section>…` and reads what needs no collection metadata (context,
 * method, headers, query); null when there is no request (every `@request.*` is then NULL).
 * Shared by the SQL resolver and the in-memory evaluator so both accept the same paths.
 */
export function classifyRequestPath(name: string, props: string[], request: RequestContext | null): RequestPath | null {
  const section = props[1] as string;
  if (props.length < 2 || !REQUEST_SECTIONS.includes(section)) {
    throw new FilterResolveError(`Unknown request field "${name}".`);
  }
  if (request === null) return null;
  if (section === 'context' || section === 'method') {
    if (props.length !== 2) throw new FilterResolveError(`Invalid field path "${name}".`);
    const value = section === 'context' ? (request.context ?? 'default') : request.method;
    return { kind: 'value', found: true, value, modifier: null };
  }
  if (props.length < 3) throw new FilterResolveError(`Invalid field path "${name}".`);
  if (section === 'body' || section === 'auth') return { kind: section };
  const last = splitModifier(props[props.length - 1] as string);
  const source = section === 'headers' ? normalizeHeaders(request.headers) : request.query;
  const { found, value } = extractNested(source, [...props.slice(2, -1), last.name]);
  return { kind: 'value', found, value, modifier: last.modifier };
}

/**
 * The parts of an `@request.body.<name>[.…]` path: its first and last segments (modifiers
 * split off), the field the first one names (if any) and the key path into the body.
 */
export function splitBodyPath(collection: Collection, props: string[]) {
  const first = splitModifier(props[2] as string);
  const field = collection.fields.find((f) => f.name === first.name);
  const last = splitModifier(props[props.length - 1] as string);
  return { first, field, last, path: [...props.slice(2, -1), last.name] };
}

const col = (alias: string, name: string) => `${quoteIdent(alias)}.${quoteIdent(name)}`;

/**
 * The single gate between user text and SQL identifiers: resolves a field path against collection
 * metadata and returns SQL built only from quoted metadata names and bind parameters. Unknown names
 * throw `FilterResolveError`; hidden or locked ones `FilterForbiddenFieldError`.
 */
export class FieldResolver {
  constructor(
    private readonly options: FieldResolverOptions,
    readonly scope: CompileScope,
  ) {}

  /** Compiles a nested expression (used by `:changed`); set by the compiler. */
  compileNested: ((expression: string) => string) | null = null;

  /** Compiles joined collections' list rules for non-superuser filters; set by the compiler. */
  compileListRule: ListRuleCompiler | null = null;

  get params(): ParamBag {
    return this.scope.params;
  }

  resolve(name: string): ResolvedOperand {
    const props = name.split('.');
    if (props.some((p) => p === '')) throw new FilterResolveError(`Invalid field path "${name}".`);
    const head = props[0] as string;
    if (head === '@request' || head === '@collection') {
      if (!this.options.allowRequestAndCollectionRefs) {
        throw new FilterForbiddenFieldError(`"${head}" references are not allowed here.`);
      }
      return head === '@request' ? this.resolveRequest(name, props) : this.resolveCollectionRef(name, props);
    }
    if (head.startsWith('@') || head.startsWith('#')) throw new FilterResolveError(`Unknown identifier "${name}".`);
    return this.walk(this.baseWalk(), props);
  }

  private baseWalk(): Walk {
    return {
      collection: this.options.collection,
      alias: this.options.baseAlias,
      mmAlias: this.options.baseAlias,
      mmJoins: [],
      multi: false,
      key: 'base',
      nullable: false,
      nullifyMissing: false,
    };
  }

  private findCollection(idOrName: string): Collection | undefined {
    const base = this.options.collection;
    if (idOrName === base.id || idOrName.toLowerCase() === base.name.toLowerCase()) return base;
    return this.options.lookup.find(idOrName);
  }

  /**
   * Registers a join of the main scope once per path, so one path always means one joined row.
   * `build` returns the `LEFT JOIN … ON …` text; a collection's list rule is appended to its ON.
   */
  private join(key: string, build: (alias: string) => string, collection?: Collection): string {
    const existing = this.scope.joins.get(key);
    if (existing) return existing.alias;
    const alias = this.scope.newAlias('j');
    const rule = collection ? this.listRuleOn(collection, alias) : '';
    this.scope.joins.set(key, { alias, sql: `${build(alias)}${rule}` });
    return alias;
  }

  /**
   * ` AND (<list rule>)` for the ON clause of a collection joined into a non-superuser's filter
   * ('' when none applies). In the ON clause a record the caller may not list behaves as if it
   * did not exist, in the main join and in every "every item" subquery alike, so no comparison
   * can reveal its values (PocketBase ANDs the rule into the outer WHERE and skips it in its
   * multi-match subqueries). A locked (null) rule refuses the filter, as PocketBase does.
   */
  private listRuleOn(collection: Collection, alias: string): string {
    if (this.options.allowHiddenFields) return '';
    if (collection.listRule === null) {
      throw new FilterForbiddenFieldError(`Fields of "${collection.name}" can be filtered only by superusers.`);
    }
    if (collection.listRule.trim() === '') return '';
    if (!this.compileListRule) throw new FilterResolveError('List rules cannot be applied here.');
    return ` AND (${this.compileListRule(collection, alias, this.scope)})`;
  }

  // ---------------------------------------------------------------- @request

  private staticOperand(found: boolean, raw: unknown, modifier: FieldModifier | null, numberField = false) {
    if (modifier === 'isset') return { value: boolLiteral(found) };
    if (modifier !== null && modifier !== 'lower') {
      throw new FilterResolveError(`The ":${modifier}" modifier does not apply to this request value.`);
    }
    let value = normalizeStaticValue(found ? raw : null);
    if (value === null) return { value: NULL_OPERAND };
    if (numberField && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
      // multipart bodies send numbers as text; PocketBase reads them as numbers for number fields
      value = Number(value);
    }
    if (modifier === 'lower') {
      const text = this.params.text(String(value));
      return { value: { ...text, sql: `LOWER(${text.sql})`, param: undefined } };
    }
    return { value: typeof value === 'number' ? this.params.number(value) : this.params.text(value) };
  }

  private resolveRequest(name: string, props: string[]): ResolvedOperand {
    const path = classifyRequestPath(name, props, this.options.request);
    if (!path) return { value: NULL_OPERAND };
    if (path.kind === 'value') return this.staticOperand(path.found, path.value, path.modifier);
    return path.kind === 'body' ? this.resolveBody(props) : this.resolveAuth(props);
  }

  private resolveBody(props: string[]): ResolvedOperand {
    const request = this.options.request as RequestContext;
    const { first, field, last, path } = splitBodyPath(this.options.collection, props);
    if (!field) {
      if (props.length > 3 && first.modifier) throw new FilterResolveError(`Invalid field path "${props.join('.')}".`);
      const { found, value } = extractNested(request.body, path);
      return this.staticOperand(found, value, last.modifier);
    }
    if (field.type === 'relation' && props.length > 3) {
      if (first.modifier) throw new FilterResolveError(`Invalid field path "${props.join('.')}".`);
      return this.resolveBodyRelation(field, props.slice(3));
    }
    const found = Object.hasOwn(request.body, field.name);
    const raw = request.body[field.name];
    if (props.length === 3) {
      switch (first.modifier) {
        case 'each':
          return this.resolveBodyEach(field, raw);
        case 'length':
          if (!isListField(field)) {
            throw new FilterResolveError(`Field "${field.name}" does not support the ":length" modifier.`);
          }
          return { value: this.params.number(toList(raw).length) };
        case 'lower': {
          const text = this.params.text(raw === null || raw === undefined ? '' : String(normalizeStaticValue(raw)));
          return { value: { ...text, sql: `LOWER(${text.sql})`, param: undefined } };
        }
        case 'changed':
          return this.resolveBodyChanged(field);
        default:
          break;
      }
    }
    const { found: nestedFound, value } = extractNested(request.body, path);
    return this.staticOperand(props.length === 3 ? found : nestedFound, value, last.modifier, field.type === 'number');
  }

  private resolveBodyChanged(field: Field): ResolvedOperand {
    if (!this.compileNested) throw new FilterResolveError('":changed" cannot be used here.');
    const f = field.name;
    const condition = this.compileNested(`@request.body.${f}:isset = true && @request.body.${f} != ${f}`);
    return {
      value: { cls: 'num', sql: `(${condition})::int`, affinity: 'none', nullable: true, noCoalesce: true },
    };
  }

  private resolveBodyEach(field: Field, raw: unknown): ResolvedOperand {
    if (!isListField(field)) {
      throw new FilterResolveError(`Field "${field.name}" does not support the ":each" modifier.`);
    }
    const items = toList(raw).map((item) => {
      const v = normalizeStaticValue(item);
      return v === null ? null : String(v);
    });
    const placeholder = `${this.params.add(items)}::text[]`;
    const alias = this.join(
      `body-each:${field.name}`,
      (a) => `LEFT JOIN LATERAL unnest(${placeholder}) AS ${quoteIdent(a)}("value") ON TRUE`,
    );
    const value: SqlOperand = { cls: 'text', sql: col(alias, 'value'), affinity: 'none', nullable: true };
    if (!isMultiValue(field)) return { value };
    const mmAlias = this.scope.newAlias('m');
    const from = `(SELECT 1) AS ${quoteIdent(`${mmAlias}_root`)} LEFT JOIN LATERAL unnest(${placeholder}) AS ${quoteIdent(mmAlias)}("value") ON TRUE`;
    return { value, multi: { from, value: { ...value, sql: col(mmAlias, 'value') } } };
  }

  private resolveBodyRelation(field: Field & { type: 'relation' }, rest: string[]): ResolvedOperand {
    const request = this.options.request as RequestContext;
    const target = this.findCollection(field.collectionId);
    if (!target) throw new FilterResolveError(`The collection of relation "${field.name}" does not exist.`);
    const ids = [
      ...new Set(
        toList(request.body[field.name])
          .filter((v) => v !== null && v !== undefined && v !== '')
          .map(String),
      ),
    ];
    if (ids.length === 0) return { value: NULL_OPERAND };
    const placeholder = `${this.params.add(ids)}::text[]`;
    const alias = this.join(
      `body-rel:${field.name}`,
      (a) => `LEFT JOIN ${quoteIdent(target.name)} AS ${quoteIdent(a)} ON ${col(a, 'id')} = ANY(${placeholder})`,
      target,
    );
    const mmAlias = this.scope.newAlias('m');
    const walk: Walk = {
      collection: target,
      alias,
      mmAlias,
      mmJoins: [
        `LEFT JOIN ${quoteIdent(target.name)} AS ${quoteIdent(mmAlias)} ON ${col(mmAlias, 'id')} = ANY(${placeholder})${this.listRuleOn(target, mmAlias)}`,
      ],
      multi: isMultiValue(field),
      key: `body-rel:${field.name}`,
      nullable: true,
      nullifyMissing: true,
    };
    return this.walk(walk, rest);
  }

  private resolveAuth(props: string[]): ResolvedOperand {
    const auth = (this.options.request as RequestContext).auth;
    if (!auth) return { value: NULL_OPERAND };
    const rest = props.slice(2);
    if (rest.length === 1 && PLAIN_AUTH_FIELDS.includes(rest[0] as string)) {
      return this.staticOperand(true, plainAuthValue(auth, rest[0] as string), null);
    }
    const collection = auth.collection;
    const id = String(auth.record.id ?? '');
    const placeholder = `${this.params.add(id)}::text`;
    const alias = this.join(
      'auth',
      (a) => `LEFT JOIN ${quoteIdent(collection.name)} AS ${quoteIdent(a)} ON ${col(a, 'id')} = ${placeholder}`,
      collection,
    );
    const mmAlias = this.scope.newAlias('m');
    return this.walk(
      {
        collection,
        alias,
        mmAlias,
        mmJoins: [
          `LEFT JOIN ${quoteIdent(collection.name)} AS ${quoteIdent(mmAlias)} ON ${col(mmAlias, 'id')} = ${placeholder}${this.listRuleOn(collection, mmAlias)}`,
        ],
        multi: false,
        key: 'auth',
        nullable: true,
        nullifyMissing: true,
      },
      rest,
    );
  }

  // ---------------------------------------------------------------- @collection

  private resolveCollectionRef(name: string, props: string[]): ResolvedOperand {
    if (props.length < 3)
      throw new FilterResolveError(`Invalid @collection path "${name}" (expected @collection.name.field).`);
    const [collectionName, aliasName, ...extra] = (props[1] as string).split(':');
    if (
      extra.length ||
      aliasName === '' ||
      !/^\w+$/.test(collectionName as string) ||
      (aliasName && !/^\w+$/.test(aliasName))
    ) {
      throw new FilterResolveError(`Invalid @collection reference "${props[1]}".`);
    }
    const collection = this.findCollection(collectionName as string);
    if (!collection) throw new FilterResolveError(`Unknown collection "${collectionName}" in "${name}".`);
    const key = aliasName ? `collection-alias:${aliasName}` : `collection:${collection.name}`;
    const alias = this.join(
      key,
      (a) => `LEFT JOIN ${quoteIdent(collection.name)} AS ${quoteIdent(a)} ON TRUE`,
      collection,
    );
    const mmAlias = this.scope.newAlias('m');
    return this.walk(
      {
        collection,
        alias,
        mmAlias,
        mmJoins: [
          `LEFT JOIN ${quoteIdent(collection.name)} AS ${quoteIdent(mmAlias)} ON TRUE${this.listRuleOn(collection, mmAlias)}`,
        ],
        multi: true,
        key,
        nullable: true,
        nullifyMissing: false,
      },
      props.slice(2),
    );
  }

  // ---------------------------------------------------------------- field paths

  private missing(walk: Walk, message: string): ResolvedOperand {
    if (walk.nullifyMissing) return { value: NULL_OPERAND };
    throw new FilterResolveError(message);
  }

  private checkHidden(field: Field, collection: Collection): void {
    if (field.hidden && !this.options.allowHiddenFields) {
      throw new FilterForbiddenFieldError(`Field "${field.name}" of "${collection.name}" cannot be filtered.`);
    }
  }

  private walk(walk: Walk, props: string[]): ResolvedOperand {
    for (let i = 0; i < props.length; i++) {
      const prop = props[i] as string;
      if (i === props.length - 1) return this.finalize(walk, prop);
      if (prop.includes(':')) throw new FilterResolveError(`A modifier may only end a field path ("${prop}").`);
      const field = findField(walk.collection, prop);
      if (field) this.checkHidden(field, walk.collection);
      if (field && (field.type === 'json' || field.type === 'geoPoint')) {
        return this.jsonPath(walk, field, props.slice(i + 1));
      }
      if (i >= MAX_NESTED_RELATIONS) {
        throw new FilterResolveError(
          `Field path "${props.join('.')}" nests more than ${MAX_NESTED_RELATIONS} relations.`,
        );
      }
      if (!field) {
        const via = VIA_RE.exec(prop);
        if (!via) return this.missing(walk, `Unknown field "${prop}" in "${walk.collection.name}".`);
        const outcome = this.backRelation(walk, prop, via[1] as string, via[2] as string);
        if (outcome) return outcome;
        continue;
      }
      if (field.type !== 'relation') {
        throw new FilterResolveError(`Field "${prop}" of "${walk.collection.name}" is not a relation.`);
      }
      const target = this.findCollection(field.collectionId);
      if (!target) throw new FilterResolveError(`The collection of relation "${prop}" does not exist.`);
      // `rel.id` of a single relation is the relation value itself: no join needed
      if (!isMultiValue(field) && i === props.length - 2 && props[i + 1] === 'id') return this.finalize(walk, prop);
      this.relationHop(walk, field, target);
    }
    throw new FilterResolveError(`Invalid field path "${props.join('.')}".`);
  }

  private relationHop(walk: Walk, field: Field & { type: 'relation' }, target: Collection): void {
    const multiple = isMultiValue(field);
    const from = walk.alias;
    const on = (a: string, source: string) =>
      multiple ? `${col(a, 'id')} = ANY(${col(source, field.name)})` : `${col(a, 'id')} = ${col(source, field.name)}`;
    const key = `${walk.key}/${field.name}`;
    const alias = this.join(
      key,
      (a) => `LEFT JOIN ${quoteIdent(target.name)} AS ${quoteIdent(a)} ON ${on(a, from)}`,
      target,
    );
    const mmAlias = this.scope.newAlias('m');
    walk.mmJoins.push(
      `LEFT JOIN ${quoteIdent(target.name)} AS ${quoteIdent(mmAlias)} ON ${on(mmAlias, walk.mmAlias)}${this.listRuleOn(target, mmAlias)}`,
    );
    Object.assign(walk, {
      collection: target,
      alias,
      mmAlias,
      key,
      nullable: true,
      multi: walk.multi || multiple,
    });
  }

  /** `comments_via_post`: records of `comments` whose `post` relation points here. */
  private backRelation(walk: Walk, prop: string, collectionName: string, fieldName: string): ResolvedOperand | null {
    const back = this.findCollection(collectionName);
    if (!back) return this.missing(walk, `Unknown collection "${collectionName}" in back-relation "${prop}".`);
    const backField = back.fields.find((f) => f.name === fieldName);
    if (!backField) return this.missing(walk, `Unknown field "${fieldName}" in back-relation "${prop}".`);
    if (backField.type !== 'relation' || backField.collectionId !== walk.collection.id) {
      return this.missing(walk, `"${fieldName}" of "${back.name}" is not a relation to "${walk.collection.name}".`);
    }
    this.checkHidden(backField, back);
    const backMultiple = isMultiValue(backField);
    const multiple = backMultiple || !hasSingleColumnUniqueIndex(back, backField.name);
    const on = (a: string, here: string) =>
      backMultiple
        ? `${col(here, 'id')} = ANY(${col(a, backField.name)})`
        : `${col(a, backField.name)} = ${col(here, 'id')}`;
    const key = `${walk.key}/${prop}`;
    const from = walk.alias;
    const alias = this.join(
      key,
      (a) => `LEFT JOIN ${quoteIdent(back.name)} AS ${quoteIdent(a)} ON ${on(a, from)}`,
      back,
    );
    const mmAlias = this.scope.newAlias('m');
    walk.mmJoins.push(
      `LEFT JOIN ${quoteIdent(back.name)} AS ${quoteIdent(mmAlias)} ON ${on(mmAlias, walk.mmAlias)}${this.listRuleOn(back, mmAlias)}`,
    );
    Object.assign(walk, { collection: back, alias, mmAlias, key, nullable: true, multi: walk.multi || multiple });
    return null;
  }

  private jsonPath(walk: Walk, field: Field, rest: string[]): ResolvedOperand {
    if (rest.some((p) => p.includes(':') || !/^\w+$/.test(p))) {
      throw new FilterResolveError(`Invalid json path "${[field.name, ...rest].join('.')}".`);
    }
    let build: (alias: string) => string;
    let cls: SqlOperand['cls'] = 'json';
    if (field.type === 'geoPoint') {
      if (rest.length !== 1 || (rest[0] !== 'lon' && rest[0] !== 'lat')) {
        throw new FilterResolveError(`A geoPoint field has only "lon" and "lat" ("${field.name}.${rest.join('.')}").`);
      }
      const part = rest[0];
      build = (alias) => `(${col(alias, field.name)} ->> '${part}')::double precision`;
      cls = 'num';
    } else {
      const path = `${this.params.add(rest)}::text[]`;
      build = (alias) => `(${col(alias, field.name)} #> ${path})`;
    }
    const value: SqlOperand =
      cls === 'num'
        ? { cls, sql: build(walk.alias), affinity: 'none', nullable: walk.nullable, noCoalesce: true }
        : { cls, sql: build(walk.alias), affinity: 'none', nullable: true, noCoalesce: true };
    return this.withMulti(walk, value, { ...value, sql: build(walk.mmAlias) });
  }

  /** `visible`: a condition on a joined row's alias (see `ResolvedOperand.visible`). */
  private withMulti(walk: Walk, value: SqlOperand, mmValue: SqlOperand, visible?: (alias: string) => string) {
    const result: ResolvedOperand = { value };
    if (visible) result.visible = visible(walk.alias);
    if (walk.multi) {
      const root = quoteIdent(this.scope.newAlias('r'));
      result.multi = { from: `(SELECT 1) AS ${root} ${walk.mmJoins.join(' ')}`, value: mmValue };
      if (visible) result.multi.visible = visible(walk.mmAlias);
    }
    return result;
  }

  private finalize(walk: Walk, prop: string): ResolvedOperand {
    const { name, modifier } = splitModifier(prop);
    const field = findField(walk.collection, name);
    if (!field) return this.missing(walk, `Unknown field "${name}" in "${walk.collection.name}".`);
    this.checkHidden(field, walk.collection);
    if (modifier === 'isset' || modifier === 'changed') {
      throw new FilterResolveError(`The ":${modifier}" modifier applies only to @request.body fields.`);
    }
    const nullable = walk.nullable;
    if (modifier === 'length') {
      if (!isListField(field)) throw new FilterResolveError(`Field "${name}" does not support ":length".`);
      const length = (a: string) =>
        isMultiValue(field)
          ? `COALESCE(cardinality(${col(a, name)}), 0)`
          : `(CASE WHEN ${col(a, name)} IS NULL OR ${col(a, name)} = '' THEN 0 ELSE 1 END)`;
      const value: SqlOperand = { cls: 'num', sql: length(walk.alias), affinity: 'none', nullable: false };
      return this.withMulti(walk, value, { ...value, sql: length(walk.mmAlias) });
    }
    if (modifier === 'each') {
      if (!isListField(field)) throw new FilterResolveError(`Field "${name}" does not support ":each".`);
      if (!isMultiValue(field)) {
        const value: SqlOperand = { cls: 'text', sql: col(walk.alias, name), affinity: 'none', nullable };
        return this.withMulti(walk, value, { ...value, sql: col(walk.mmAlias, name) });
      }
      const source = walk.alias;
      const alias = this.join(
        `${walk.key}/${name}:each`,
        (a) => `LEFT JOIN LATERAL unnest(${col(source, name)}) AS ${quoteIdent(a)}("value") ON TRUE`,
      );
      const mmAlias = this.scope.newAlias('m');
      walk.mmJoins.push(
        `LEFT JOIN LATERAL unnest(${col(walk.mmAlias, name)}) AS ${quoteIdent(mmAlias)}("value") ON TRUE`,
      );
      walk.multi = true;
      const value: SqlOperand = { cls: 'text', sql: col(alias, 'value'), affinity: 'none', nullable: true };
      return this.withMulti(walk, value, { ...value, sql: col(mmAlias, 'value') });
    }
    const main = columnOperand(field, walk.alias, nullable);
    const mm = columnOperand(field, walk.mmAlias, nullable);
    let visible: ((alias: string) => string) | undefined;
    if (field.name === 'email' && !this.options.allowHiddenFields && isAuthCollection(walk.collection)) {
      visible = (alias) => `${col(alias, 'emailVisibility')} = TRUE`;
    }
    if (modifier === 'lower') {
      return this.withMulti(walk, lowerOperand(main), lowerOperand(mm), visible);
    }
    return this.withMulti(walk, main, mm, visible);
  }
}

function columnOperand(field: Field, alias: string, nullable: boolean): SqlOperand {
  const c = col(alias, field.name);
  switch (storageKindOf(field)) {
    case 'number':
      return { cls: 'num', sql: c, affinity: 'numeric', nullable };
    case 'bool':
      return { cls: 'num', sql: c, affinity: 'numeric', nullable, bool: 'column' };
    case 'textList':
      // PocketBase stores lists as JSON text; a bare list field compares as that text
      return { cls: 'text', sql: `array_to_json(${c})::text`, affinity: 'text', nullable };
    case 'json':
    case 'geoPoint':
      return { cls: 'json', sql: c, affinity: 'none', nullable: true, noCoalesce: true };
    default:
      return { cls: 'text', sql: c, affinity: 'text', nullable };
  }
}

function lowerOperand(o: SqlOperand): SqlOperand {
  let text = o.sql;
  if (o.cls === 'num') text = o.bool === 'column' ? `(CASE WHEN ${o.sql} THEN '1' ELSE '0' END)` : `(${o.sql})::text`;
  if (o.cls === 'json') text = `(${o.sql} #>> '{}')`;
  return { cls: 'text', sql: `LOWER(${text})`, affinity: 'none', nullable: o.nullable };
}

/** Whether `indexes` has a UNIQUE index on exactly this one column (then a back-relation is single). */
export function hasSingleColumnUniqueIndex(collection: Collection, column: string): boolean {
  return collection.indexes.some((index) => {
    const match = /^\s*CREATE\s+UNIQUE\s+INDEX\b[^(]*\(([^)]*)\)/i.exec(index);
    if (!match) return false;
    const columns = (match[1] as string).split(',').map((c) =>
      c
        .trim()
        .replace(/\s+(ASC|DESC)$/i, '')
        .replace(/^[`"[]|[`"\]]$/g, ''),
    );
    return columns.length === 1 && columns[0] === column;
  });
}
