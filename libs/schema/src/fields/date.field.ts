import type { FieldError } from '@hivebase/contracts';
import type { HelpfulField } from '../model/field.model';
import { goTimeJson, goTimeString, normalizeDateTime, parseDateTimeMs } from './date-time.util';
import type { FieldDefinition } from './field-definition';
import { fieldError } from './field-definition';
import {
  collectErrors,
  maxThresholdError,
  minThresholdError,
  requiredError,
  unsupportedValueTypeError,
  validateCommonSettings,
} from './field-errors.util';
import { readBoolean, readDateTime, readHelp } from './option-readers.util';

const invalidDateError = (): FieldError => fieldError('validation_date_invalid', 'Must be a valid date.');

export interface DateField extends HelpfulField {
  type: 'date';
  required: boolean;
  /** `YYYY-MM-DD HH:MM:SS.sssZ` or "" for no bound. */
  min: string;
  max: string;
}

/**
 * `date`: a UTC datetime stored as the fixed-width string `YYYY-MM-DD HH:MM:SS.sssZ` in
 * `text NOT NULL DEFAULT ''` ("" = no date), exactly what PocketBase stores and sends.
 */
export const dateFieldDefinition: FieldDefinition<DateField> = {
  type: 'date',

  defaults: () => ({ help: '', required: false, min: '', max: '' }),

  normalizeOptions: (raw) => ({
    help: readHelp(raw),
    required: readBoolean(raw, 'required', false),
    min: readDateTime(raw, 'min'),
    max: readDateTime(raw, 'max'),
  }),

  validateSettings(field) {
    const min = parseDateTimeMs(field.min);
    const max = parseDateTimeMs(field.max);
    return collectErrors({
      ...validateCommonSettings(field),
      // PocketBase silently clears unreadable bounds; saying so is kinder.
      min: field.min !== '' && min === null ? invalidDateError() : null,
      max:
        field.max !== '' && max === null
          ? invalidDateError()
          : // PocketBase means to check this too, but its rule discards the bounds (ozzo's DateRule
            // builders return copies), so it accepts max < min.
            min !== null && max !== null && max < min
            ? fieldError('validation_date_out_of_range', 'The date is out of range.')
            : null,
    });
  },

  columnType: () => "text NOT NULL DEFAULT ''",

  storageKind: () => 'text',

  prepareValue: (_field, raw) => normalizeDateTime(raw),

  validateValue(field, value) {
    if (typeof value !== 'string') {
      return unsupportedValueTypeError();
    }
    const time = parseDateTimeMs(value);
    if (time === null) {
      return field.required ? requiredError() : null;
    }
    return checkDateBounds(time, field.min, field.max);
  },

  toJson: (_field, stored) => normalizeDateTime(stored),
};

/** ozzo's `Min(time)`/`Max(time)` messages carry Go's time formatting. */
function checkDateBounds(time: number, minText: string, maxText: string): FieldError | null {
  const min = parseDateTimeMs(minText);
  if (min !== null && time < min) {
    return withGoTime(minThresholdError(goTimeString(min)), min);
  }
  const max = parseDateTimeMs(maxText);
  if (max !== null && time > max) {
    return withGoTime(maxThresholdError(goTimeString(max)), max);
  }
  return null;
}

function withGoTime(error: FieldError, time: number): FieldError {
  return { ...error, params: { threshold: goTimeJson(time) } };
}
