import type { FieldError } from '@hivebase/contracts';
import type { HelpfulField } from '../model/field.model';
import { type FieldDefinition, fieldError } from './field-definition';
import {
  checkRange,
  checkRegexOption,
  collectErrors,
  inListError,
  MAX_SAFE_JSON_INT,
  mustBeBlankError,
  requiredError,
  unsupportedValueTypeError,
  validateCommonSettings,
} from './field-errors.util';
import { matchesGoRegexp } from './go-regexp.util';
import { readBoolean, readHelp, readInteger, readString } from './option-readers.util';
import { checkGeneratorPattern, generateFromPattern } from './pattern-generator.util';
import { castToString } from './value-cast.util';

/** The length limit PocketBase applies when `max` is 0. */
export const TEXT_DEFAULT_MAX_LENGTH = 5000;

// Record ids end up in file paths (`<collectionId>/<recordId>/…`).
const FORBIDDEN_PRIMARY_KEY_CHARS = ['/', '\\'];

/** How many sample values validateSettings generates to test an autogenerate pattern (as PocketBase). */
const AUTOGENERATE_SAMPLES = 10;

export interface TextField extends HelpfulField {
  type: 'text';
  required: boolean;
  min: number;
  max: number;
  pattern: string;
  autogeneratePattern: string;
  primaryKey: boolean;
}

/**
 * `text`: any string, stored as `text NOT NULL DEFAULT ''`. The `id` field is a text field with
 * `primaryKey`. Checking that a new id is unique (case-insensitively) and that an id never changes
 * needs the database, so it is the records layer's job.
 */
export const textFieldDefinition: FieldDefinition<TextField> = {
  type: 'text',

  defaults: () => ({
    help: '',
    required: false,
    min: 0,
    max: 0,
    pattern: '',
    autogeneratePattern: '',
    primaryKey: false,
  }),

  normalizeOptions(raw) {
    const defaults = textFieldDefinition.defaults();
    return {
      help: readHelp(raw),
      required: readBoolean(raw, 'required', defaults.required),
      min: readInteger(raw, 'min', defaults.min),
      max: readInteger(raw, 'max', defaults.max),
      pattern: readString(raw, 'pattern', defaults.pattern),
      autogeneratePattern: readString(raw, 'autogeneratePattern', defaults.autogeneratePattern),
      primaryKey: readBoolean(raw, 'primaryKey', defaults.primaryKey),
    };
  },

  validateSettings(field, { collection }) {
    const common = validateCommonSettings(field);
    const primaryKeyCount = collection.fields.filter((f) => f.type === 'text' && f.primaryKey).length;
    return collectErrors({
      ...common,
      name:
        common.name ??
        (field.primaryKey && field.name !== 'id' ? inListError('The primary key must be named "id".') : null),
      primaryKey:
        field.primaryKey && primaryKeyCount > 1
          ? fieldError(
              'validation_unsupported_composite_pk',
              'Composite PKs are not supported and the collection must have only 1 PK.',
            )
          : null,
      min: checkRange(field.min, 0, MAX_SAFE_JSON_INT),
      max: checkRange(field.max, field.min, MAX_SAFE_JSON_INT),
      pattern: field.primaryKey && field.pattern === '' ? requiredError() : checkRegexOption(field.pattern),
      hidden: field.primaryKey && field.hidden ? mustBeBlankError() : null,
      required: field.primaryKey && !field.required ? requiredError() : null,
      autogeneratePattern: checkRegexOption(field.autogeneratePattern) ?? checkAutogeneratePattern(field),
    });
  },

  columnType: (field) => (field.primaryKey ? 'text NOT NULL PRIMARY KEY' : "text NOT NULL DEFAULT ''"),

  storageKind: () => 'text',

  prepareValue: (_field, raw) => castToString(raw),

  validateValue(field, value, { isNew }) {
    if (typeof value !== 'string') {
      return unsupportedValueTypeError();
    }
    if (field.primaryKey) {
      if (!isNew) {
        // An existing id cannot change (the records layer enforces it) and may predate these
        // rules (e.g. imported), so PocketBase skips the checks.
        return null;
      }
      const forbidden = FORBIDDEN_PRIMARY_KEY_CHARS.find((char) => value.includes(char));
      if (forbidden !== undefined) {
        return fieldError('validation_pk_forbidden', 'The record primary key contains forbidden characters.', {
          forbidden,
        });
      }
    }
    return validateTextValue(field, value);
  },

  toJson: (_field, stored) => castToString(stored),
};

/** The option checks on a plain value (PocketBase's TextField.ValidatePlainValue). */
export function validateTextValue(field: TextField, value: string): FieldError | null {
  if ((field.required || field.primaryKey) && value === '') {
    return requiredError();
  }
  if (value === '') {
    return null;
  }
  // Characters, not UTF-16 units or bytes: "абв" is 3.
  const length = [...value].length;
  if (field.min > 0 && length < field.min) {
    return fieldError('validation_min_text_constraint', `Must be at least ${field.min} character(s).`, {
      min: field.min,
    });
  }
  const max = field.max === 0 ? TEXT_DEFAULT_MAX_LENGTH : field.max;
  if (max > 0 && length > max) {
    return fieldError('validation_max_text_constraint', `Must be no more than ${max} character(s).`, { max });
  }
  if (field.pattern !== '' && !matchesGoRegexp(field.pattern, value)) {
    return fieldError('validation_invalid_format', 'Invalid value format.');
  }
  return null;
}

// Generates a few samples and checks them against the field's own rules, so a pattern that
// could produce values the field would refuse is caught now rather than on record create.
function checkAutogeneratePattern(field: TextField): FieldError | null {
  if (field.autogeneratePattern === '') {
    return null;
  }
  const unsupported = checkGeneratorPattern(field.autogeneratePattern);
  if (unsupported !== null) {
    return fieldError('validation_invalid_autogenerate_pattern', unsupported);
  }
  for (let i = 0; i < AUTOGENERATE_SAMPLES; i++) {
    let sample: string;
    try {
      sample = generateFromPattern(field.autogeneratePattern);
    } catch (error) {
      return fieldError('validation_invalid_autogenerate_pattern', (error as Error).message);
    }
    if (validateTextValue(field, sample) !== null) {
      return fieldError(
        'validation_invalid_autogenerate_pattern_value',
        `The provided autogenerate pattern could produce invalid field values, ex.: ${JSON.stringify(sample)}.`,
      );
    }
  }
  return null;
}
