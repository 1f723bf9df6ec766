import type { HelpfulField } from '../model/field.model';
import type { FieldDefinition } from './field-definition';
import { fieldError } from './field-definition';
import { checkRange, collectErrors, requiredError, validateCommonSettings } from './field-errors.util';
import { isMultiple, multiValueColumnType, multiValueToJson, prepareMultiValue, valueList } from './multi-value.util';
import { readBoolean, readHelp, readInteger, readStringList } from './option-readers.util';

export interface SelectField extends HelpfulField {
  type: 'select';
  required: boolean;
  values: string[];
  /** 0 or 1 = single value (a string); more = a list. */
  maxSelect: number;
}

/**
 * `select`: one (`maxSelect` <= 1) or several of the listed `values`; a string or a text[].
 */
export const selectFieldDefinition: FieldDefinition<SelectField> = {
  type: 'select',

  defaults: () => ({ help: '', required: false, values: [], maxSelect: 0 }),

  normalizeOptions: (raw) => ({
    help: readHelp(raw),
    required: readBoolean(raw, 'required', false),
    values: readStringList(raw, 'values', []),
    maxSelect: readInteger(raw, 'maxSelect', 0),
  }),

  validateSettings: (field) =>
    collectErrors({
      ...validateCommonSettings(field),
      values: field.values.length === 0 ? requiredError() : null,
      maxSelect: checkRange(field.maxSelect, 0, Math.max(field.values.length, 1)),
    }),

  columnType: (field) => multiValueColumnType(field.maxSelect),

  storageKind: (field) => (isMultiple(field.maxSelect) ? 'textList' : 'text'),

  isMultiValue: (field) => isMultiple(field.maxSelect),

  listCapable: true,

  prepareValue: (field, raw) => prepareMultiValue(field.maxSelect, raw),

  validateValue(field, value) {
    const values = valueList(value);
    if (values.length === 0) {
      return field.required ? requiredError() : null;
    }
    const maxSelect = Math.max(field.maxSelect, 1);
    if (values.length > maxSelect) {
      return fieldError('validation_too_many_values', `Select no more than ${maxSelect}.`, { maxSelect });
    }
    const invalid = values.find((item) => !field.values.includes(item));
    if (invalid !== undefined) {
      return fieldError('validation_invalid_value', `Invalid value ${invalid}.`, { value: invalid });
    }
    return null;
  },

  toJson: (field, stored) => multiValueToJson(field.maxSelect, stored),
};
