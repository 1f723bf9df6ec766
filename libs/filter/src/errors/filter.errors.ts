import { ClientError, type ErrorData } from '@hivebase/contracts';

/**
 * Error codes of the filter library with what the client gets: a plain 400 with PocketBase's
 * default message (undefined here), as PocketBase answers a bad filter, sort or rule. The
 * detailed message of each error is for logs and for the rule validator.
 */
export const FILTER_ERRORS = {
  filter_syntax: { status: 400, message: undefined },
  filter_too_long: { status: 400, message: undefined },
  filter_too_complex: { status: 400, message: undefined },
  filter_unknown_field: { status: 400, message: undefined },
  filter_forbidden_field: { status: 400, message: undefined },
  filter_invalid_sort: { status: 400, message: undefined },
} as const satisfies Record<string, { status: number; message: string | undefined }>;
export type FilterErrorCode = keyof typeof FILTER_ERRORS;
export const FILTER_ERROR_CODES = Object.keys(FILTER_ERRORS) as FilterErrorCode[];

/** Base class: every error this library throws on user input is a `FilterError` (see {@link FILTER_ERRORS}). */
export class FilterError extends ClientError {
  readonly status: number;
  readonly publicMessage: string | undefined;
  readonly data: ErrorData = {};
  readonly code: FilterErrorCode;
  constructor(code: FilterErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = FILTER_ERRORS[code].status;
    this.publicMessage = FILTER_ERRORS[code].message;
  }
}

/** Malformed expression; `position` is the 0-based character offset, `expected` what would have been valid. */
export class FilterSyntaxError extends FilterError {
  readonly position: number;
  readonly expected: string;
  constructor(position: number, expected: string, found: string) {
    super('filter_syntax', `Invalid filter at position ${position}: expected ${expected}, found ${found}.`);
    this.position = position;
    this.expected = expected;
  }
}

/** The expression text is longer than `MAX_FILTER_LENGTH`. */
export class FilterTooLongError extends FilterError {
  constructor(length: number, max: number) {
    super('filter_too_long', `The filter is ${length} characters long; at most ${max} are allowed.`);
  }
}

/** Too many comparisons, nested groups or function arguments. */
export class FilterTooComplexError extends FilterError {
  constructor(message: string) {
    super('filter_too_complex', message);
  }
}

/** A name that does not resolve against the collection metadata (or a modifier that does not apply to it). */
export class FilterResolveError extends FilterError {
  constructor(message: string) {
    super('filter_unknown_field', message);
  }
}

/** A name that exists but may not be used by this caller (hidden field, locked collection). */
export class FilterForbiddenFieldError extends FilterError {
  constructor(message: string) {
    super('filter_forbidden_field', message);
  }
}

/** An invalid `sort` parameter. */
export class SortError extends FilterError {
  constructor(message: string) {
    super('filter_invalid_sort', message);
  }
}
