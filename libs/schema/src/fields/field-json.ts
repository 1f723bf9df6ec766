import type { Field } from '../model/field.model';
import { definitionOf } from './field-registry';

/**
 * A field as PocketBase serialises it in collection JSON: every option (missing ones at their
 * defaults) plus the common keys and `type`, keys sorted alphabetically. PocketBase marshals each
 * field through a map (to add `type`), and Go writes map keys sorted.
 */
export function fieldToJson(field: Field): Record<string, unknown> {
  const defaults: Record<string, unknown> = definitionOf(field).defaults();
  const values: Record<string, unknown> = { ...field };
  const keys = ['id', 'name', 'type', 'system', 'hidden', 'presentable', ...Object.keys(defaults)];
  // Go compares keys byte-wise; for these ASCII keys that is JS's code-unit order.
  keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const json: Record<string, unknown> = {};
  for (const key of keys) {
    json[key] = values[key] === undefined ? defaults[key] : values[key];
  }
  return json;
}
