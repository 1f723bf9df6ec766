import type { HelpfulField } from '../model/field.model';
import type { FieldDefinition } from './field-definition';
import { collectErrors, requiredError, unsupportedValueTypeError, validateCommonSettings } from './field-errors.util';
import { readBoolean, readHelp } from './option-readers.util';
import { castToBool } from './value-cast.util';

export interface BoolField extends HelpfulField {
  type: 'bool';
  required: boolean;
}

/** `bool`: stored as `boolean NOT NULL DEFAULT false`; `required` means it must be true. */
export const boolFieldDefinition: FieldDefinition<BoolField> = {
  type: 'bool',

  defaults: () => ({ help: '', required: false }),

  normalizeOptions: (raw) => ({ help: readHelp(raw), required: readBoolean(raw, 'required', false) }),

  validateSettings: (field) => collectErrors(validateCommonSettings(field)),

  columnType: () => 'boolean NOT NULL DEFAULT false',

  storageKind: () => 'bool',

  prepareValue: (_field, raw) => castToBool(raw),

  validateValue(field, value) {
    if (typeof value !== 'boolean') {
      return unsupportedValueTypeError();
    }
    return field.required && !value ? requiredError() : null;
  },

  toJson: (_field, stored) => castToBool(stored),
};
