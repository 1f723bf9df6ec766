import type { Collection } from '../../model/collection.model';
import type { Field, FieldOf, FieldType } from '../../model/field.model';
import type { SettingsContext, ValueContext } from '../field-definition';
import { FIELD_DEFINITIONS } from '../field-registry';

/** A field of `type` with default options, overridable. */
export function makeField<T extends FieldType>(type: T, overrides: Partial<FieldOf<T>> = {}): FieldOf<T> {
  const field = {
    id: `${type}_test`,
    name: 'test',
    system: false,
    hidden: false,
    presentable: false,
    type,
    ...FIELD_DEFINITIONS[type].defaults(),
    ...overrides,
  };
  return field as unknown as FieldOf<T>;
}

import { makeCollection, makeLookup } from '../../testing/collection.fixture';

export { makeCollection, makeLookup };

/** Settings context with the field alone in a new collection, plus `others` in the lookup. */
export function settingsContextFor(field: Field, others: Collection[] = []): SettingsContext {
  return { collection: makeCollection([field]), lookup: makeLookup(others) };
}

export const CREATE: ValueContext = { isNew: true };
export const UPDATE: ValueContext = { isNew: false };

/** The error codes of an ErrorData, by key (nested errors as objects of codes). */
export function codesOf(errors: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(errors)) {
    const item = value as { code?: unknown };
    result[key] = typeof item.code === 'string' ? item.code : codesOf(value as Record<string, unknown>);
  }
  return result;
}

/** Inputs prepareValue must survive without throwing. */
export const HOSTILE_INPUTS: unknown[] = [
  undefined,
  null,
  {},
  { a: { b: [1, 2] } },
  [],
  [null, {}, [1]],
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -0,
  Symbol('x'),
  () => 1,
  10n,
  'x'.repeat(200_000),
  'a\u0000b',
  '\ud800',
  Object.create(null),
  new Date('invalid'),
];
