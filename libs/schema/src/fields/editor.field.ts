import type { HelpfulField } from '../model/field.model';
import type { FieldDefinition } from './field-definition';
import { fieldError } from './field-definition';
import {
  checkRange,
  collectErrors,
  MAX_SAFE_JSON_INT,
  requiredError,
  unsupportedValueTypeError,
  validateCommonSettings,
} from './field-errors.util';
import { readBoolean, readHelp, readInteger } from './option-readers.util';
import { castToString } from './value-cast.util';

/** The size limit (bytes) PocketBase applies when `maxSize` is 0: 5 MiB. */
export const EDITOR_DEFAULT_MAX_SIZE = 5 * 1024 * 1024;

export interface EditorField extends HelpfulField {
  type: 'editor';
  required: boolean;
  /** Bytes; 0 = the default limit. */
  maxSize: number;
  convertURLs: boolean;
}

/** `editor`: rich text (HTML) as a string, `text NOT NULL DEFAULT ''`, limited in UTF-8 bytes. */
export const editorFieldDefinition: FieldDefinition<EditorField> = {
  type: 'editor',

  defaults: () => ({ help: '', required: false, maxSize: 0, convertURLs: false }),

  normalizeOptions: (raw) => ({
    help: readHelp(raw),
    required: readBoolean(raw, 'required', false),
    maxSize: readInteger(raw, 'maxSize', 0),
    convertURLs: readBoolean(raw, 'convertURLs', false),
  }),

  validateSettings: (field) =>
    collectErrors({ ...validateCommonSettings(field), maxSize: checkRange(field.maxSize, 0, MAX_SAFE_JSON_INT) }),

  columnType: () => "text NOT NULL DEFAULT ''",

  storageKind: () => 'text',

  prepareValue: (_field, raw) => castToString(raw),

  validateValue(field, value) {
    if (typeof value !== 'string') {
      return unsupportedValueTypeError();
    }
    if (field.required && value === '') {
      return requiredError();
    }
    const maxSize = field.maxSize > 0 ? field.maxSize : EDITOR_DEFAULT_MAX_SIZE;
    if (Buffer.byteLength(value, 'utf8') > maxSize) {
      return fieldError('validation_content_size_limit', `The maximum allowed content size is ${maxSize} bytes.`, {
        maxSize,
      });
    }
    return null;
  },

  toJson: (_field, stored) => castToString(stored),
};
