import { ClientError, type ErrorData } from '@hivebase/contracts';

/**
 * A records-layer refusal with its HTTP status and PocketBase message; the platform's error
 * filter writes it as `{data, message, status}`.
 */
export class RecordsError extends ClientError {
  readonly publicMessage: string;
  constructor(
    readonly status: 400 | 403 | 404,
    message: string,
    readonly data: ErrorData = {},
  ) {
    super(message);
    this.name = 'RecordsError';
    this.publicMessage = message;
  }
}

export const ONLY_SUPERUSERS = 'Only superusers can perform this action.';
export const recordNotFound = () => new RecordsError(404, "The requested resource wasn't found.");

/**
 * Postgres text cannot hold U+0000, so no record id contains it: such an id is simply not found
 * (as in PocketBase), never a database error.
 */
export const isPossibleId = (id: string): boolean => !id.includes('\u0000');
