import { crc32 } from 'node:zlib';
import type { ErrorData, FieldError } from '@hivebase/contracts';
import { FIELD_TYPES, type Field, type FieldCommon, type FieldOf, type FieldType } from '../model/field.model';
import { fieldError } from './field-definition';
import { inListError, requiredError } from './field-errors.util';
import { FIELD_DEFINITIONS } from './field-registry';
import { isPlainObject } from './value-cast.util';

export type NormalizeFieldResult =
  | { ok: true; field: Field }
  | {
      ok: false;
      /** Goes under the field's index in the collection error (`fields.<i>`), as PocketBase nests it. */
      errors: FieldError | ErrorData;
    };

/**
 * Turns one submitted field object into a typed Field: the common keys, the type (which must be
 * known), then the type's options with defaults. A missing id becomes the default id. Option
 * values are not judged here; run the definition's validateSettings next.
 *
 * `existingIds` holds the ids of the fields before this one in the same list; it is not modified,
 * so add the returned id before normalizing the next field.
 */
export function normalizeField(raw: unknown, existingIds: ReadonlySet<string>): NormalizeFieldResult {
  if (!isPlainObject(raw)) {
    // PocketBase's generic message for an error without its own code.
    return { ok: false, errors: fieldError('validation_invalid_value', 'Invalid value.') };
  }
  const type = raw.type;
  if (typeof type !== 'string' || type === '') {
    return { ok: false, errors: { type: requiredError() } };
  }
  if (!isFieldType(type)) {
    // PocketBase fails the whole body ("missing or unknown field type"); a field-level error
    // in ozzo's wording for "not one of the allowed values" says more.
    return { ok: false, errors: { type: inListError() } };
  }
  const name = typeof raw.name === 'string' ? raw.name : '';
  const id = typeof raw.id === 'string' && raw.id !== '' ? raw.id : defaultFieldId(type, name, existingIds);
  const common: FieldCommon = {
    id,
    name,
    system: raw.system === true,
    hidden: raw.hidden === true,
    presentable: raw.presentable === true,
  };
  return { ok: true, field: buildField(type, common, raw) };
}

/**
 * PocketBase's default field id: the type and the decimal CRC-32 of the name (`text3208210256`),
 * with `2`, `3`, … appended while it collides with `existingIds`.
 */
export function defaultFieldId(type: FieldType, name: string, existingIds: ReadonlySet<string>): string {
  const base = type + String(crc32(name));
  let id = base;
  for (let i = 2; i < 1000 && existingIds.has(id); i++) {
    id = base + String(i);
  }
  return id;
}

function isFieldType(type: string): type is FieldType {
  return (FIELD_TYPES as readonly string[]).includes(type);
}

function buildField<T extends FieldType>(type: T, common: FieldCommon, raw: Record<string, unknown>): FieldOf<T> {
  const options = FIELD_DEFINITIONS[type].normalizeOptions(raw);
  // FieldOf<T> is FieldCommon & {type} & FieldOptions<T>, which TS cannot see through the generic.
  return { ...common, type, ...options } as unknown as FieldOf<T>;
}
