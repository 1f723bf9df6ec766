import type { HelpfulField } from '../model/field.model';
import { type FieldDefinition, fieldError } from './field-definition';
import {
  checkRange,
  collectErrors,
  MAX_SAFE_JSON_INT,
  requiredError,
  validateCommonSettings,
} from './field-errors.util';
import { readBoolean, readHelp, readInteger } from './option-readers.util';
import { isPlainObject, stripNul } from './value-cast.util';

/** The size limit (bytes of JSON text) PocketBase applies when `maxSize` is 0: 1 MiB. */
export const JSON_DEFAULT_MAX_SIZE = 1024 * 1024;

/** A JSON value as stored in a `jsonb` column (null = SQL NULL). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

// PocketBase's normalisation of plain strings, so multipart forms can send JSON: these parse,
// anything else is kept as a JSON string.
const JSON_LIKE_START = /^[-0-9"[{]/;

export interface JsonField extends HelpfulField {
  type: 'json';
  required: boolean;
  /** Bytes; 0 = the default limit. */
  maxSize: number;
}

/**
 * `json`: any JSON value in a nullable `jsonb` column (NULL when nothing was set). Values are
 * prepared to plain JS values; `required` refuses null, "", [] and {}.
 */
export const jsonFieldDefinition: FieldDefinition<JsonField> = {
  type: 'json',

  defaults: () => ({ help: '', required: false, maxSize: 0 }),

  normalizeOptions: (raw) => ({
    help: readHelp(raw),
    required: readBoolean(raw, 'required', false),
    maxSize: readInteger(raw, 'maxSize', 0),
  }),

  validateSettings: (field) =>
    collectErrors({ ...validateCommonSettings(field), maxSize: checkRange(field.maxSize, 0, MAX_SAFE_JSON_INT) }),

  columnType: () => 'jsonb',

  storageKind: () => 'json',

  toColumnValue: (_field, value) => jsonColumnValue(value),

  prepareValue(_field, raw): JsonValue {
    if (typeof raw === 'string') {
      return parseJsonString(raw);
    }
    return toJsonValue(raw);
  },

  validateValue(field, value) {
    const json = toJsonValue(value);
    const maxSize = field.maxSize > 0 ? field.maxSize : JSON_DEFAULT_MAX_SIZE;
    // Measured on compact JSON text, as Go marshals the submitted value.
    if (Buffer.byteLength(JSON.stringify(json), 'utf8') > maxSize) {
      return fieldError('validation_json_size_limit', `The maximum allowed JSON size is ${maxSize} bytes.`, {
        maxSize,
      });
    }
    if (field.required && isEmptyJson(json)) {
      return requiredError();
    }
    return null;
  },

  toJson: (_field, stored) => (stored === undefined ? null : toJsonValue(stored)),
};

/**
 * A prepared json value as a query parameter for its `jsonb` column: JSON text, so node-pg does
 * not turn arrays into Postgres array literals or send strings unquoted. null stays SQL NULL.
 */
export function jsonColumnValue(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(toJsonValue(value));
}

function parseJsonString(raw: string): JsonValue {
  if (raw === 'null' || raw === 'true' || raw === 'false' || JSON_LIKE_START.test(raw)) {
    try {
      return toJsonValue(JSON.parse(raw));
    } catch {
      // not JSON after all: kept as a string below
    }
  }
  return stripNul(raw);
}

/**
 * Any JS value as a JSON value: what JSON.stringify would keep (undefined, functions and
 * symbols dropped, non-finite numbers as null), strings without U+0000 (jsonb refuses it).
 */
export function toJsonValue(value: unknown, depth = 0): JsonValue {
  // Deeper than any real document; stops cyclic or hostile structures.
  if (depth > 512) {
    return null;
  }
  switch (typeof value) {
    case 'string':
      return stripNul(value);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      return Number(value);
    case 'object': {
      if (value === null) {
        return null;
      }
      if (Array.isArray(value)) {
        return value.map((item) => toJsonValue(item, depth + 1));
      }
      if (value instanceof Date) {
        return Number.isNaN(value.getTime()) ? null : value.toISOString();
      }
      if (!isPlainObject(value)) {
        return null;
      }
      const result: { [key: string]: JsonValue } = {};
      for (const [key, item] of Object.entries(value)) {
        if (item !== undefined && typeof item !== 'function' && typeof item !== 'symbol') {
          // defineProperty, not assignment: a "__proto__" key must stay data, not a prototype.
          Object.defineProperty(result, stripNul(key), {
            value: toJsonValue(item, depth + 1),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
      }
      return result;
    }
    default:
      return null;
  }
}

function isEmptyJson(value: JsonValue): boolean {
  if (value === null || value === '') {
    return true;
  }
  if (Array.isArray(value)) {
    return value.length === 0;
  }
  return typeof value === 'object' && Object.keys(value).length === 0;
}
