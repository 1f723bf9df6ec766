import type { FieldError } from '@hivebase/contracts';
import type { HelpfulField } from '../model/field.model';
import { type FieldDefinition, fieldError } from './field-definition';
import {
  collectErrors,
  minThresholdError,
  requiredError,
  unsupportedValueTypeError,
  validateCommonSettings,
} from './field-errors.util';
import { readBoolean, readHelp, readNullableNumber } from './option-readers.util';
import { castToFloat, formatGoFixed6 } from './value-cast.util';

const onlyIntError = (): FieldError => fieldError('validation_only_int_constraint', 'Decimal numbers are not allowed.');

export interface NumberField extends HelpfulField {
  type: 'number';
  required: boolean;
  /** null = no bound. */
  min: number | null;
  max: number | null;
  onlyInt: boolean;
}

/**
 * `number`: a float64, stored as `double precision NOT NULL DEFAULT 0`. 0 is the empty value:
 * it satisfies min/max/onlyInt and fails only `required`.
 */
export const numberFieldDefinition: FieldDefinition<NumberField> = {
  type: 'number',

  defaults: () => ({ help: '', required: false, min: null, max: null, onlyInt: false }),

  normalizeOptions(raw) {
    const defaults = numberFieldDefinition.defaults();
    return {
      help: readHelp(raw),
      required: readBoolean(raw, 'required', defaults.required),
      min: readNullableNumber(raw, 'min', defaults.min),
      max: readNullableNumber(raw, 'max', defaults.max),
      onlyInt: readBoolean(raw, 'onlyInt', defaults.onlyInt),
    };
  },

  validateSettings(field) {
    const checkOnlyInt = (bound: number | null): FieldError | null =>
      field.onlyInt && bound !== null && !Number.isInteger(bound) ? onlyIntError() : null;
    return collectErrors({
      ...validateCommonSettings(field),
      min: checkOnlyInt(field.min),
      // Stricter than PocketBase, whose rule skips max = 0 and so accepts min 5 with max 0.
      max:
        checkOnlyInt(field.max) ??
        (field.min !== null && field.max !== null && field.max < field.min ? minThresholdError(field.min) : null),
    });
  },

  columnType: () => 'double precision NOT NULL DEFAULT 0',

  storageKind: () => 'number',

  prepareValue: (_field, raw) => castToFloat(raw),

  validateValue(field, value) {
    if (typeof value !== 'number') {
      return unsupportedValueTypeError();
    }
    if (!Number.isFinite(value)) {
      return fieldError('validation_not_a_number', 'The submitted number is not properly formatted.');
    }
    if (value === 0) {
      return field.required ? requiredError() : null;
    }
    if (field.onlyInt && !Number.isInteger(value)) {
      return onlyIntError();
    }
    if (field.min !== null && value < field.min) {
      return fieldError('validation_min_number_constraint', `Must be larger than ${formatGoFixed6(field.min)}.`);
    }
    if (field.max !== null && value > field.max) {
      return fieldError('validation_max_number_constraint', `Must be less than ${formatGoFixed6(field.max)}.`);
    }
    return null;
  },

  toJson(_field, stored) {
    // JSON has no NaN or Infinity; neither can be stored, but a bad read must not break output.
    const value = typeof stored === 'number' ? stored : castToFloat(stored);
    return Number.isFinite(value) ? value : 0;
  },
};
