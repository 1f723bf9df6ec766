import type { HelpfulField } from '../model/field.model';
import type { FieldDefinition } from './field-definition';
import { fieldError } from './field-definition';
import {
  checkRange,
  collectErrors,
  eachError,
  MAX_SAFE_JSON_INT,
  matchError,
  notInListError,
  requiredError,
  validateCommonSettings,
} from './field-errors.util';
import { isMultiple, multiValueColumnType, multiValueToJson, prepareMultiValue, valueList } from './multi-value.util';
import { readBoolean, readHelp, readInteger, readStringList } from './option-readers.util';

/** The per-file size limit (bytes) PocketBase applies when `maxSize` is 0: 5 MiB. */
export const FILE_DEFAULT_MAX_SIZE = 5 * 1024 * 1024;

/** Thumb sizes: `WxH` (crop from center), `WxHt`/`WxHb` (crop from top/bottom), `WxHf` (fit), `0xH`, `Wx0`. */
export const THUMB_SIZE_PATTERN = /^(\d+)x(\d+)(t|b|f)?$/;
const ZERO_THUMBS = ['0x0', '0x0t', '0x0b', '0x0f'];

export interface FileField extends HelpfulField {
  type: 'file';
  required: boolean;
  /** Bytes per file; 0 = the default limit. */
  maxSize: number;
  maxSelect: number;
  mimeTypes: string[] | null;
  thumbs: string[] | null;
  protected: boolean;
}

/**
 * `file`: one (`maxSelect` <= 1) or several stored file names; a string or a text[]. Uploads
 * (size, mime type, name) and refusing new plain names (`validation_invalid_file`) are the
 * records layer's job: here a value is the list of names already decided on.
 */
export const fileFieldDefinition: FieldDefinition<FileField> = {
  type: 'file',

  defaults: () => ({
    help: '',
    required: false,
    maxSize: 0,
    maxSelect: 0,
    mimeTypes: null,
    thumbs: null,
    protected: false,
  }),

  normalizeOptions: (raw) => ({
    help: readHelp(raw),
    required: readBoolean(raw, 'required', false),
    maxSize: readInteger(raw, 'maxSize', 0),
    maxSelect: readInteger(raw, 'maxSelect', 0),
    mimeTypes: readStringList(raw, 'mimeTypes', null, true),
    thumbs: readStringList(raw, 'thumbs', null, true),
    protected: readBoolean(raw, 'protected', false),
  }),

  validateSettings: (field) =>
    collectErrors({
      ...validateCommonSettings(field),
      maxSelect: checkRange(field.maxSelect, 0, MAX_SAFE_JSON_INT),
      maxSize: checkRange(field.maxSize, 0, MAX_SAFE_JSON_INT),
      thumbs: eachError(field.thumbs, (thumb) =>
        ZERO_THUMBS.includes(thumb) ? notInListError() : THUMB_SIZE_PATTERN.test(thumb) ? null : matchError(),
      ),
    }),

  columnType: (field) => multiValueColumnType(field.maxSelect),

  storageKind: (field) => (isMultiple(field.maxSelect) ? 'textList' : 'text'),

  isMultiValue: (field) => isMultiple(field.maxSelect),

  listCapable: true,

  storesUploads: true,

  prepareValue: (field, raw) => prepareMultiValue(field.maxSelect, raw),

  validateValue(field, value) {
    const files = valueList(value);
    if (files.length === 0) {
      return field.required ? requiredError() : null;
    }
    const maxSelect = Math.max(field.maxSelect, 1);
    if (files.length > maxSelect) {
      return fieldError('validation_too_many_files', `The maximum allowed files is ${maxSelect}.`, { maxSelect });
    }
    return null;
  },

  toJson: (field, stored) => multiValueToJson(field.maxSelect, stored),
};
