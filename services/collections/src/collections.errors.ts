import { codedError } from '@hivebase/contracts';

/**
 * Every refusal the collections service throws itself (the records, filter and schema layers
 * have their own tables): its code, HTTP status and PocketBase message (`{name}` marks a part
 * filled in when thrown). Thrown as `CollectionsError`; the platform's one mapping writes it as
 * `{data, message, status}`.
 */
export const COLLECTIONS_ERRORS = {
  collections_create_failed: { status: 400, message: 'Failed to create collection.' },
  collections_update_failed: { status: 400, message: 'Failed to update collection.' },
  collections_delete_failed: { status: 400, message: 'Failed to delete collection.' },
  collections_import_failed: { status: 400, message: 'Failed to import collections.' },
  collections_create_unbound: {
    status: 400,
    message: 'Failed to load the collection type data due to invalid formatting.',
  },
  collections_update_unbound: { status: 400, message: 'Failed to load the submitted data due to invalid formatting.' },
  collections_delete_referenced: {
    status: 400,
    message: 'Failed to delete collection probably due to existing reference in {references}.',
  },
  collections_view_truncate: { status: 400, message: 'View collections cannot be truncated.' },
  collections_load_failed: { status: 400, message: 'An error occurred while loading the submitted data.' },
  collections_validation_failed: { status: 400, message: 'An error occurred while validating the submitted data.' },
  collections_view_preview_failed: { status: 400, message: 'Failed to preview the view query.' },
  collections_apple_secret_failed: {
    status: 400,
    message: 'Failed to generate client secret. Raw error: \n{reason}.',
  },
  collections_batch_too_large: { status: 413, message: 'Request Entity Too Large.' },
  // `POST /api/sql`: Postgres refused or cancelled the query; `reason` is its own message.
  collections_sql_failed: { status: 400, message: 'Failed to execute query. Raw error:\n{reason}' },
  crons_not_found: { status: 404, message: 'Missing or invalid cron job.' },
} as const satisfies Record<string, { status: 400 | 404 | 413; message: string }>;

export type CollectionsErrorCode = keyof typeof COLLECTIONS_ERRORS;

/** A collections refusal by code (see {@link COLLECTIONS_ERRORS}), with field errors in `data`. */
export class CollectionsError extends codedError('CollectionsError', COLLECTIONS_ERRORS) {}
