export { inferViewFields, sanitizePgMessage, VIEW_PROBE_TIMEOUT_MS } from './view-fields.infer';
export * from './view-query.errors';
export { normalizeViewQuery } from './view-query.guard';
export { createViewSql, dropViewSql } from './view-sql.builder';
