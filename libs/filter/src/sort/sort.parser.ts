import { ROWID_COLUMN } from '@hivebase/schema';
import { SortError } from '../errors/filter.errors';
import { CompileScope, type FieldResolver } from '../resolver/field.resolver';
import { compiledKey, findCompiled, keepCompiled } from '../sql/compiled-cache';
import {
  type CompiledSql,
  type CompileOptions,
  createResolver,
  resolveCollectionOrThrow,
  trackListRules,
} from '../sql/filter.compiler';
import { ParamBag, quoteIdent } from '../sql/sql-operand';

/** PocketBase's sort limits (tools/search: DefaultSortExprLimit, MaxSortFieldLength). */
export const MAX_SORT_FIELDS = 8;
export const MAX_SORT_FIELD_LENGTH = 255;

export interface SortField {
  name: string;
  direction: 'ASC' | 'DESC';
}

/** Parses `-created,+title,author.name,@random` (a leading `-` means descending). */
export function parseSort(input: string): SortField[] {
  const fields = input
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (fields.length > MAX_SORT_FIELDS) throw new SortError(`At most ${MAX_SORT_FIELDS} sort fields are allowed.`);
  return fields.map((part) => {
    if (part.length > MAX_SORT_FIELD_LENGTH) {
      throw new SortError(`A sort field may be at most ${MAX_SORT_FIELD_LENGTH} characters long.`);
    }
    const direction = part.startsWith('-') ? 'DESC' : 'ASC';
    const name = part.startsWith('-') || part.startsWith('+') ? part.slice(1).trim() : part;
    if (!/^@?[\w.:]+$/.test(name)) throw new SortError(`Invalid sort field "${part}".`);
    return { name, direction };
  });
}

/**
 * Compiles a `sort` parameter into an ORDER BY list (without the keywords) through the filter's
 * field resolver. A field behind relations becomes a scalar subquery (the first related value in
 * the sort's direction, among the records the caller may list), so sorting never multiplies rows.
 * For a non-superuser an email whose `emailVisibility` is false sorts as NULL (last ascending).
 * `@request.*` values and NULL cannot be sorted by.
 */
export function compileSort(input: string | SortField[], options: CompileOptions): CompiledSql {
  // A sort never reads the request: only joined list rules can, and compiles that applied one are not kept.
  const key = typeof input === 'string' ? compiledKey('sort', input, options) : null;
  const hit = key === null ? undefined : findCompiled(options, key);
  if (hit) return hit;
  const fields = typeof input === 'string' ? parseSort(input) : input;
  const collection = resolveCollectionOrThrow(options.lookup, options.collection);
  const listRules: { any: boolean }[] = [];
  const params = new ParamBag(options.paramOffset ?? 0);
  const parts = fields.map(({ name, direction }) => {
    if (name === '@random') return 'random()';
    // PocketBase's SQLite rowid: the insertion number (a view has none; its id stands in).
    if (name === '@rowid') {
      const column = collection.type === 'view' ? 'id' : ROWID_COLUMN;
      return `${quoteIdent(options.baseAlias ?? collection.name)}.${quoteIdent(column)} ${direction}`;
    }
    if (name.startsWith('@request.')) throw new SortError(`Invalid sort field "${name}".`);
    const scope = new CompileScope(params);
    const resolver = createResolver(options, collection, scope);
    listRules.push(trackListRules(resolver));
    let resolved: ReturnType<FieldResolver['resolve']>;
    try {
      resolved = resolver.resolve(name);
    } catch (error) {
      if (error instanceof SortError) throw error;
      throw new SortError(`Invalid sort field "${name}": ${(error as Error).message}`);
    }
    const { value, visible } = resolved;
    if (value.cls === 'null' || value.param) {
      throw new SortError(`Invalid sort field "${name}".`);
    }
    let expression = value.cls === 'json' ? `(${value.sql})` : value.sql;
    // a hidden email must not place its record among others (PocketBase sorts by it regardless)
    if (visible) expression = `(CASE WHEN ${visible} THEN ${expression} END)`;
    if (scope.joins.size > 0) {
      // the list rules of joined collections sit in the joins' ON clauses
      const joins = [...scope.joins.values()].map((j) => j.sql).join(' ');
      expression = `(SELECT ${expression} FROM (SELECT 1) AS ${quoteIdent('__hb_sort')} ${joins} ORDER BY 1 ${direction} NULLS LAST LIMIT 1)`;
    }
    return `${expression} ${direction}`;
  });
  const result = params.finish(parts.join(', '));
  if (key !== null && !listRules.some((applied) => applied.any)) keepCompiled(options.lookup, collection, key, result);
  return result;
}
