import type { ErrorData, FieldError } from '@hivebase/contracts';
import type { FieldCommon } from '../model/field.model';
import { fieldError } from './field-definition';
import { compileGoRegexp } from './go-regexp.util';

// PocketBase validates through ozzo-validation and sentences every message on the way out
// (capital first letter, trailing period); these are the resulting codes and messages.

export const requiredError = (message = 'Cannot be blank.'): FieldError => fieldError('validation_required', message);

/** ozzo `validation.Empty`: the value must be left empty. */
export const mustBeBlankError = (): FieldError => fieldError('validation_empty', 'Must be blank.');

/** ozzo `validation.Min(threshold)`. */
export const minThresholdError = (threshold: number | string): FieldError =>
  fieldError('validation_min_greater_equal_than_required', `Must be no less than ${threshold}.`, { threshold });

/** ozzo `validation.Max(threshold)`. */
export const maxThresholdError = (threshold: number | string): FieldError =>
  fieldError('validation_max_less_equal_than_required', `Must be no greater than ${threshold}.`, { threshold });

export const matchError = (): FieldError => fieldError('validation_match_invalid', 'Must be in a valid format.');
export const notInListError = (): FieldError => fieldError('validation_not_in_invalid', 'Must not be in list.');
export const inListError = (message = 'Must be a valid value.'): FieldError =>
  fieldError('validation_in_invalid', message);
export const valuesMismatchError = (): FieldError => fieldError('validation_values_mismatch', "Values don't match.");
export const invalidRegexError = (message: string): FieldError => fieldError('validation_invalid_regex', message);
/** A prepared value of the wrong JS type reached validateValue (a records-layer bug, not user input). */
export const unsupportedValueTypeError = (): FieldError =>
  fieldError('validation_unsupported_value_type', 'Invalid or unsupported value type.');
export const invalidDomainError = (): FieldError => fieldError('validation_is_domain', 'Must be a valid domain.');

/** 2^53-1: PocketBase caps integer options so they survive a JSON round trip. */
export const MAX_SAFE_JSON_INT = Number.MAX_SAFE_INTEGER;

/**
 * ozzo's `Min`/`Max` threshold rules, which skip "empty" values: 0 passes both, so an unset
 * option never fails.
 */
export function checkRange(value: number, min: number | null, max: number | null): FieldError | null {
  if (value === 0) {
    return null;
  }
  if (min !== null && value < min) {
    return minThresholdError(min);
  }
  if (max !== null && value > max) {
    return maxThresholdError(max);
  }
  return null;
}

/** Copies the non-null entries into an ErrorData (ozzo's ValidateStruct keeps one error per key). */
export function collectErrors(entries: Record<string, unknown>): ErrorData {
  const errors: ErrorData = {};
  for (const [key, error] of Object.entries(entries)) {
    if (error !== null && error !== undefined) {
      errors[key] = error;
    }
  }
  return errors;
}

/** ozzo's `validation.Each`: per-item errors keyed by index, or null when every item passes. */
export function eachError<T>(items: readonly T[] | null, check: (item: T) => FieldError | null): ErrorData | null {
  if (!items) {
    return null;
  }
  const errors: ErrorData = {};
  items.forEach((item, index) => {
    const error = check(item);
    if (error) {
      errors[String(index)] = error;
    }
  });
  return Object.keys(errors).length > 0 ? errors : null;
}

const FIELD_NAME_PATTERN = /^\w+$/;
// Filter literals and the names the record JSON adds itself.
const RESERVED_FIELD_NAMES = ['null', 'true', 'false', '_rowid_', 'collectionId', 'collectionName', 'expand'];

/** PocketBase's DefaultFieldIdValidationRule. */
export function validateFieldId(id: string): FieldError | null {
  if (id === '') {
    return requiredError();
  }
  if ([...id].length > 100) {
    return lengthOutOfRangeError(1, 100);
  }
  return null;
}

/** PocketBase's DefaultFieldNameValidationRule. */
export function validateFieldName(name: string): FieldError | null {
  if (name === '') {
    return requiredError();
  }
  if ([...name].length > 100) {
    return lengthOutOfRangeError(1, 100);
  }
  if (!FIELD_NAME_PATTERN.test(name)) {
    return matchError();
  }
  if (RESERVED_FIELD_NAMES.includes(name)) {
    return notInListError();
  }
  if (name.toLowerCase().includes('_via_')) {
    // `_via_` would be ambiguous with back-relation paths in filters.
    return fieldError('validation_found_via', 'The value cannot contain "_via_".');
  }
  return null;
}

/** PocketBase's DefaultFieldHelpValidationRule: at most 300 characters ("" is fine). */
export function validateFieldHelp(help: unknown): FieldError | null {
  // Fields stored before `help` existed have none: the same as "".
  if (help === undefined || help === '') {
    return null;
  }
  if (typeof help !== 'string') {
    return unsupportedValueTypeError();
  }
  return [...help].length > 300 ? lengthOutOfRangeError(1, 300) : null;
}

/** The `id`, `name` (and `help`, where the type has it) checks every field type's ValidateSettings starts with. */
export function validateCommonSettings(field: FieldCommon & { help?: unknown }): ErrorData {
  return collectErrors({
    id: validateFieldId(field.id),
    name: validateFieldName(field.name),
    help: 'help' in field ? validateFieldHelp(field.help) : null,
  });
}

function lengthOutOfRangeError(min: number, max: number): FieldError {
  return fieldError('validation_length_out_of_range', `The length must be between ${min} and ${max}.`, { min, max });
}

/** validators.IsRegex: an empty pattern is fine, otherwise it must compile (as a Go regexp). */
export function checkRegexOption(pattern: string): FieldError | null {
  if (pattern === '') {
    return null;
  }
  const compiled = compileGoRegexp(pattern);
  return compiled.ok ? null : invalidRegexError(compiled.message);
}
