import { FIELD_DEFINITIONS } from '../fields/field-registry';
import { defaultFieldId } from '../fields/normalize-field';
import type { FieldOf, FieldType } from '../model/field.model';

/** A field of `type` with the type's option defaults, overridden by `overrides`. */
export function makeField<T extends FieldType>(
  type: T,
  name: string,
  overrides: Partial<Omit<FieldOf<T>, 'type' | 'name'>> = {},
): FieldOf<T> {
  return {
    id: defaultFieldId(type, name, new Set()),
    name,
    type,
    system: false,
    hidden: false,
    presentable: false,
    ...FIELD_DEFINITIONS[type].defaults(),
    ...overrides,
  } as FieldOf<T>;
}
