import { codedError } from '@hivebase/contracts';

/**
 * Every refusal of the records layer: its code, HTTP status and PocketBase message (`{name}`
 * marks a part filled in when thrown).
 */
export const RECORDS_ERRORS = {
  records_bad_params: { status: 400, message: 'Something went wrong while processing your request.' },
  records_create_failed: { status: 400, message: 'Failed to create record.' },
  records_update_failed: { status: 400, message: 'Failed to update record.' },
  records_unsupported_collection: { status: 400, message: 'Unsupported collection type.' },
  records_delete_referenced: { status: 400, message: 'The record is referenced by a required relation.' },
  records_last_superuser: { status: 400, message: "You can't delete the only existing superuser." },
  records_only_superusers: { status: 403, message: 'Only superusers can perform this action.' },
  records_superuser_filter: { status: 403, message: 'Only superusers can filter by {ref}' },
  records_not_found: { status: 404, message: "The requested resource wasn't found." },
  records_missing_collection: { status: 404, message: 'Missing collection context.' },
} as const satisfies Record<string, { status: 400 | 403 | 404; message: string }>;

export type RecordsErrorCode = keyof typeof RECORDS_ERRORS;

/** A failed create or update: the message of its 400s. */
export type WriteFailure = 'records_create_failed' | 'records_update_failed';

/**
 * A records-layer refusal by code (see {@link RECORDS_ERRORS}), with field errors in `data`;
 * the platform's error filter writes it as `{data, message, status}`.
 */
export class RecordsError extends codedError('RecordsError', RECORDS_ERRORS) {}

export const recordNotFound = () => new RecordsError('records_not_found');

/**
 * Postgres text cannot hold U+0000, so no record id contains it: such an id is simply not found
 * (as in PocketBase), never a database error.
 */
export const isPossibleId = (id: string): boolean => !id.includes('\u0000');
