import { SortError } from '../errors/filter.errors';
import { CompileScope, FieldResolver } from '../resolver/field.resolver';
import {
  type CompiledSql,
  type CompileOptions,
  createResolver,
  listRuleConditions,
  resolveCollectionOrThrow,
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
 * field resolver. A field behind relations becomes a scalar subquery (the first related value),
 * so sorting never multiplies rows. `@request.*` values and NULL cannot be sorted by.
 */
export function compileSort(input: string | SortField[], options: CompileOptions): CompiledSql {
  const fields = typeof input === 'string' ? parseSort(input) : input;
  const collection = resolveCollectionOrThrow(options.lookup, options.collection);
  const params = new ParamBag(options.paramOffset ?? 0);
  const parts = fields.map(({ name, direction }) => {
    if (name === '@random') return 'random()';
    if (name.startsWith('@request.')) throw new SortError(`Invalid sort field "${name}".`);
    const scope = new CompileScope(params);
    const { resolver, common } = createResolver(options, collection, scope);
    let value: ReturnType<FieldResolver['resolve']>['value'];
    try {
      value = resolver.resolve(name).value;
    } catch (error) {
      if (error instanceof SortError) throw error;
      throw new SortError(`Invalid sort field "${name}": ${(error as Error).message}`);
    }
    if (value.cls === 'null' || value.param) {
      throw new SortError(`Invalid sort field "${name}".`);
    }
    let expression = value.cls === 'json' ? `(${value.sql})` : value.sql;
    if (scope.joins.size > 0) {
      const rules = listRuleConditions(scope, common, options.now ?? new Date());
      const joins = [...scope.joins.values()].map((j) => j.sql).join(' ');
      const where = rules.length ? ` WHERE ${rules.join(' AND ')}` : '';
      expression = `(SELECT ${expression} FROM (SELECT 1) AS ${quoteIdent('__hb_sort')} ${joins}${where} LIMIT 1)`;
    }
    return `${expression} ${direction}`;
  });
  return params.finish(parts.join(', '));
}
