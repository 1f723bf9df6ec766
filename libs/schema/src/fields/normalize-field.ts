import { crc32 } from 'node:zlib';
import type { ErrorData, FieldError } from '@hivebase/contracts';
import type { Field, FieldCommon } from '../model/field.model';
import { fieldError } from './field-definition';
import { inListError, requiredError } from './field-errors.util';
import { FIELD_DEFINITIONS, type FieldRegistry, fieldRegistryOps, type RegistryField } from './field-registry';
import { isPlainObject } from './value-cast.util';

export type NormalizeFieldResult<F = Field> =
  | { ok: true; field: F }
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
  return normalizeFieldWith(FIELD_DEFINITIONS, raw, existingIds);
}

/** `normalizeField` over any registry (tests build one with a toy type). */
export function normalizeFieldWith<R extends FieldRegistry>(
  registry: R,
  raw: unknown,
  existingIds: ReadonlySet<string>,
): NormalizeFieldResult<RegistryField<R>> {
  if (!isPlainObject(raw)) {
    // PocketBase's generic message for an error without its own code.
    return { ok: false, errors: fieldError('validation_invalid_value', 'Invalid value.') };
  }
  const type = raw.type;
  if (typeof type !== 'string' || type === '') {
    return { ok: false, errors: { type: requiredError() } };
  }
  if (!fieldRegistryOps(registry).isFieldType(type)) {
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
  const options = registry[type].normalizeOptions(raw);
  // A registry entry's options and type make its field, which TS cannot see through the generic.
  return { ok: true, field: { ...common, type, ...options } as unknown as RegistryField<R> };
}

/**
 * PocketBase's default field id: the type and the decimal CRC-32 of the name (`text3208210256`),
 * with `2`, `3`, … appended while it collides with `existingIds`.
 */
export function defaultFieldId(type: string, name: string, existingIds: ReadonlySet<string>): string {
  const base = type + String(crc32(name));
  let id = base;
  for (let i = 2; i < 1000 && existingIds.has(id); i++) {
    id = base + String(i);
  }
  return id;
}
