import type { FieldError } from '@hivebase/contracts';
import { emailFieldDefinition, makeField } from '@hivebase/schema';
import { AuthError } from './auth.errors';

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
export function validationFailed(errors: Record<string, FieldError>): AuthError {
  return new AuthError('auth_validation_failed', errors);
}

/** Throws the 400 when `errors` has anything. */
export function assertValid(errors: Record<string, FieldError>): void {
  if (Object.keys(errors).length > 0) throw validationFailed(errors);
}

const LONG_EMAIL: FieldError = {
  code: 'validation_length_out_of_range',
  message: 'The length must be between 1 and 255.',
};
// A plain email field: the format check without any collection's domain lists, as PocketBase's forms.
const ANY_EMAIL = makeField('email', 'email');

/** PocketBase's email form field `name`: required, at most 255 characters, email format. */
export function emailFieldErrors(body: Record<string, unknown>, name: string): Record<string, FieldError> {
  const errors = requireFields(body, [name]);
  const value = body[name];
  if (errors[name] || typeof value !== 'string') return errors;
  const problem =
    [...value].length > 255 ? LONG_EMAIL : emailFieldDefinition.validateValue(ANY_EMAIL, value, { isNew: true });
  if (problem) errors[name] = problem;
  return errors;
}
