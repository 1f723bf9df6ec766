import type { FieldError } from '@hivebase/contracts';
import { ApiError } from '@hivebase/server';

/** PocketBase's error for a missing form value. */
export const REQUIRED: FieldError = { code: 'validation_required', message: 'Cannot be blank.' };

/** `validation_required` for each of `names` that is missing, not a string or empty. */
export function requireFields(body: Record<string, unknown>, names: string[]): Record<string, FieldError> {
  const errors: Record<string, FieldError> = {};
  for (const name of names) {
    const value = body[name];
    if (typeof value !== 'string' || value === '') errors[name] = REQUIRED;
  }
  return errors;
}

/** PocketBase's 400 for a body that fails validation. */
export function validationFailed(errors: Record<string, FieldError>): ApiError {
  return new ApiError(400, 'An error occurred while validating the submitted data.', errors);
}

/** Throws the 400 when `errors` has anything. */
export function assertValid(errors: Record<string, FieldError>): void {
  if (Object.keys(errors).length > 0) throw validationFailed(errors);
}
