export * from './index.errors';
export * from './index.model';
export { indexColumnRefs, parseIndex } from './index.parser';
export { replaceIndexColumn, replaceIndexTable } from './index.rewrite';
export { MAX_INDEX_SQL_LENGTH } from './index.tokenizer';
export { indexToPostgres, MAX_INDEX_NAME_BYTES, pgStringLiteral } from './index.translator';
export { findSingleColumnUniqueIndex, type IndexValidationContext, validateIndexes } from './index.validator';
