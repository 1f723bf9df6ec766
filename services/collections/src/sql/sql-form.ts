import type { ErrorData } from '@hivebase/contracts';
import { CollectionsError } from '../collections.errors';

/** PocketBase's limit on the query text, in characters (Unicode code points, as Go counts runes). */
export const SQL_QUERY_MAX_LENGTH = 5000;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `POST /api/sql`'s `{query}`, read and validated as PocketBase's `runSQLForm` is bound and
 * validated: a body that is not an object or a `query` that is not a string → 400 "An error
 * occurred while loading the submitted data."; a blank (empty) or too long query → 400 "An error
 * occurred while validating the submitted data." with `data.query`. A query of only whitespace
 * passes (as in PocketBase) and fails at execution as an empty query.
 */
export function readSqlQueryOrThrow(body: unknown): string {
  const raw = body ?? {};
  if (!isObject(raw)) throw new CollectionsError('collections_load_failed');
  const query = raw.query ?? '';
  if (typeof query !== 'string') throw new CollectionsError('collections_load_failed');
  const errors: ErrorData = {};
  if (query === '') {
    errors.query = { code: 'validation_required', message: 'Cannot be blank.' };
  } else if ([...query].length > SQL_QUERY_MAX_LENGTH) {
    errors.query = {
      code: 'validation_length_too_long',
      message: `The length must be no more than ${SQL_QUERY_MAX_LENGTH}.`,
      params: { min: 0, max: SQL_QUERY_MAX_LENGTH },
    };
  }
  if (Object.keys(errors).length > 0) throw new CollectionsError('collections_validation_failed', errors);
  return query;
}
