import { ClientResponseError } from 'pocketbase';

/** A server answer's field errors by dotted path (`name`, `fields.2.max`, `meta.appName`). */
export type FieldErrors = Record<string, string>;

interface LeafError {
  code: string;
  message: string;
}

const isLeaf = (value: unknown): value is LeafError =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as LeafError).code === 'string' &&
  typeof (value as LeafError).message === 'string';

/** Flattens PocketBase's nested `data` of a 400 into `path → message`. */
export function flattenErrorData(data: unknown, prefix = ''): FieldErrors {
  const out: FieldErrors = {};
  if (typeof data !== 'object' || data === null) return out;
  for (const [key, value] of Object.entries(data)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isLeaf(value)) out[path] = value.message;
    else Object.assign(out, flattenErrorData(value, path));
  }
  return out;
}

/** What the dashboard shows for a failed request: the top message and the field errors. */
export interface ShownError {
  message: string;
  fields: FieldErrors;
}

export function toShownError(error: unknown): ShownError {
  if (error instanceof ClientResponseError) {
    const body = error.response as { message?: string; data?: unknown };
    return { message: body.message || error.message, fields: flattenErrorData(body.data) };
  }
  return { message: error instanceof Error ? error.message : String(error), fields: {} };
}

/** The errors under `prefix.` with the prefix removed (a field editor's own errors). */
export function errorsUnder(errors: FieldErrors, prefix: string): FieldErrors {
  const out: FieldErrors = {};
  for (const [path, message] of Object.entries(errors)) {
    if (path.startsWith(`${prefix}.`)) out[path.slice(prefix.length + 1)] = message;
  }
  return out;
}
