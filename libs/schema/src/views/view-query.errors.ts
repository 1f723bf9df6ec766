import type { FieldError } from '@hivebase/contracts';

export const VIEW_QUERY_ERROR_CODES = ['validation_invalid_view_query'] as const;
export type ViewQueryErrorCode = (typeof VIEW_QUERY_ERROR_CODES)[number];

/**
 * A view query that is not a single read-only SELECT, fails in Postgres, or yields columns a
 * view collection cannot have. `message` is the reason only (safe to show: Postgres messages are
 * sanitised); `toFieldError()` gives PocketBase's `viewQuery` error, "Invalid query - <reason>".
 */
export class ViewQueryError extends Error {
  override readonly name = 'ViewQueryError';
  readonly code: ViewQueryErrorCode = 'validation_invalid_view_query';

  /** The error as it goes under `data.viewQuery` in a 400. */
  toFieldError(): FieldError {
    return { code: this.code, message: `Invalid query - ${this.message}` };
  }
}
