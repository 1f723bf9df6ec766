export {
  inferViewFields,
  sanitizePgMessage,
  VIEW_PROBE_TIMEOUT_MS,
  type ViewColumnOrigin,
  viewColumnOrigins,
} from './view-fields.infer';
export {
  findViewFileSource,
  MAX_VIEW_FILE_DEPTH,
  type ViewFileSource,
  type ViewOriginsReader,
} from './view-file-source';
export * from './view-query.errors';
export { normalizeViewQuery } from './view-query.guard';
export { createViewSql, dropViewSql } from './view-sql.builder';
