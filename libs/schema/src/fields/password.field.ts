import type { HelpfulField } from '../model/field.model';
import { type FieldDefinition, fieldError } from './field-definition';
import {
  checkRange,
  checkRegexOption,
  collectErrors,
  requiredError,
  unsupportedValueTypeError,
  validateCommonSettings,
} from './field-errors.util';
import { matchesGoRegexp } from './go-regexp.util';
import { readBoolean, readHelp, readInteger, readString } from './option-readers.util';
import { castToString } from './value-cast.util';

/** bcrypt reads at most 72 bytes; PocketBase caps passwords at 71 characters. */
export const PASSWORD_MAX_LENGTH = 71;
export const BCRYPT_MIN_COST = 4;
export const BCRYPT_MAX_COST = 31;
/** The cost used when the `cost` option is 0 (Go's bcrypt.DefaultCost). */
export const BCRYPT_DEFAULT_COST = 10;

/**
 * A stored hash as the native `bcrypt` package can compare it. `$2y$` is PHP's name for `$2b$`
 * (the same algorithm); Go's bcrypt, so PocketBase, accepts it, but native bcrypt says no match.
 */
export const comparableBcryptHash = (hash: string): string => hash.replace(/^\$2y\$/, '$2b$');

export interface PasswordField extends HelpfulField {
  type: 'password';
  required: boolean;
  pattern: string;
  min: number;
  max: number;
  /** bcrypt cost; 0 = the default. */
  cost: number;
}

/**
 * `password`: a bcrypt hash in `text NOT NULL DEFAULT ''`. prepareValue keeps the submitted
 * plain text so validateValue can check its length and pattern; hashing it (with `cost`) before
 * the write, and checking `required` against the existing hash when no new password was sent,
 * are the records layer's job. The value never goes out: toJson gives "".
 */
export const passwordFieldDefinition: FieldDefinition<PasswordField> = {
  type: 'password',

  defaults: () => ({ help: '', required: false, pattern: '', min: 0, max: 0, cost: 0 }),

  normalizeOptions: (raw) => ({
    help: readHelp(raw),
    required: readBoolean(raw, 'required', false),
    pattern: readString(raw, 'pattern', ''),
    min: readInteger(raw, 'min', 0),
    max: readInteger(raw, 'max', 0),
    cost: readInteger(raw, 'cost', 0),
  }),

  validateSettings: (field) =>
    collectErrors({
      ...validateCommonSettings(field),
      min: checkRange(field.min, 1, PASSWORD_MAX_LENGTH),
      max: checkRange(field.max, field.min, PASSWORD_MAX_LENGTH),
      cost: checkRange(field.cost, BCRYPT_MIN_COST, BCRYPT_MAX_COST),
      pattern: checkRegexOption(field.pattern),
    }),

  columnType: () => "text NOT NULL DEFAULT ''",

  storageKind: () => 'text',

  prepareValue: (_field, raw) => castToString(raw),

  validateValue(field, value) {
    if (typeof value !== 'string') {
      return unsupportedValueTypeError();
    }
    if (value === '') {
      return field.required ? requiredError() : null;
    }
    const length = [...value].length;
    // PocketBase words these two without params.
    if (length < field.min) {
      return fieldError('validation_min_text_constraint', `Must be at least ${field.min} character(s).`);
    }
    const max = field.max > 0 ? field.max : PASSWORD_MAX_LENGTH;
    if (length > max) {
      return fieldError('validation_max_text_constraint', `Must be less than ${max} character(s).`);
    }
    if (field.pattern !== '' && !matchesGoRegexp(field.pattern, value)) {
      return fieldError('validation_invalid_format', 'Invalid value format.');
    }
    return null;
  },

  toJson: () => '',
};
