export * from './errors/filter.errors';
export { type EvaluateOptions, type EvaluationResult, evaluateFilter } from './evaluate/filter.evaluator';
export * from './parser/filter.ast';
export { MAX_FILTER_DEPTH, MAX_FILTER_EXPRESSIONS, MAX_FILTER_LENGTH, parseFilter } from './parser/filter.parser';
export {
  CompileScope,
  FIELD_MODIFIERS,
  type FieldModifier,
  FieldResolver,
  type FieldResolverOptions,
  MAX_NESTED_RELATIONS,
  type ResolvedOperand,
} from './resolver/field.resolver';
export {
  normalizeHeaderName,
  type RequestAuth,
  type RequestContext,
  type RequestContextName,
} from './resolver/request-context';
export { compileSort, MAX_SORT_FIELD_LENGTH, MAX_SORT_FIELDS, parseSort, type SortField } from './sort/sort.parser';
export { type CompiledSql, type CompileOptions, compileFilter } from './sql/filter.compiler';
export { ParamBag, quoteIdent, type SqlOperand } from './sql/sql-operand';
