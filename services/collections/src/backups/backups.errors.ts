import { codedError } from '@hivebase/contracts';

/**
 * The backups API's refusals with PocketBase's statuses and messages (`apis/backup*.go`); `{name}`
 * parts are filled in when thrown. Thrown as `BackupsError`, written as `{data, message, status}`.
 */
export const BACKUPS_ERRORS = {
  // PocketBase's create message has no final period; its restore message has one.
  backups_create_busy: {
    status: 400,
    message: 'Try again later - another backup/restore process has already been started',
  },
  backups_restore_busy: {
    status: 400,
    message: 'Try again later - another backup/restore process has already been started.',
  },
  backups_load_failed: { status: 400, message: 'An error occurred while loading the submitted data.' },
  backups_validation_failed: { status: 400, message: 'An error occurred while validating the submitted data.' },
  backups_create_failed: { status: 400, message: 'Failed to create backup.' },
  backups_upload_failed: { status: 400, message: 'Failed to upload backup.' },
  backups_list_failed: { status: 400, message: 'Failed to retrieve backup items. Raw error: \n{reason}' },
  backups_delete_active: { status: 400, message: 'The backup is currently being used and cannot be deleted.' },
  backups_delete_missing: { status: 400, message: 'Invalid or already deleted backup file. Raw error: \n{reason}' },
  backups_restore_missing: { status: 400, message: 'Missing or invalid backup file.' },
  backups_restore_invalid: { status: 400, message: 'Failed to restore backup. Raw error: \n{reason}' },
  backups_download_forbidden: { status: 403, message: 'Insufficient permissions to access the resource.' },
  backups_download_missing: { status: 404, message: "The requested resource wasn't found." },
} as const satisfies Record<string, { status: 400 | 403 | 404; message: string }>;

export type BackupsErrorCode = keyof typeof BACKUPS_ERRORS;

/** A backups refusal by code (see {@link BACKUPS_ERRORS}), with field errors in `data`. */
export class BackupsError extends codedError('BackupsError', BACKUPS_ERRORS) {}
