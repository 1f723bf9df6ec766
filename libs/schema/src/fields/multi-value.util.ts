import { castToString, castToUniqueStrings } from './value-cast.util';

// Select, relation and file fields hold one value (a string, "" = none) when maxSelect <= 1 and
// a list (text[], [] = none) when it is more, as PocketBase's IsMultiple.

export const isMultiple = (maxSelect: number): boolean => maxSelect > 1;

export const multiValueColumnType = (maxSelect: number): string =>
  isMultiple(maxSelect) ? "text[] NOT NULL DEFAULT '{}'" : "text NOT NULL DEFAULT ''";

/**
 * PocketBase's normalizeValue: unique non-empty strings; a single-value field keeps the last one
 * submitted, a multi-value field given one string wraps it.
 */
export function prepareMultiValue(maxSelect: number, raw: unknown): string | string[] {
  const values = castToUniqueStrings(raw);
  if (isMultiple(maxSelect)) {
    return values;
  }
  return values.at(-1) ?? '';
}

/** A stored or prepared value as a list, whichever shape it has. */
export const valueList = (value: unknown): string[] => castToUniqueStrings(value);

/** Record JSON: a list for multi-value fields (`[]` when empty), a string ("" when empty) otherwise. */
export function multiValueToJson(maxSelect: number, stored: unknown): string | string[] {
  if (isMultiple(maxSelect)) {
    return Array.isArray(stored) ? stored.map(castToString) : castToUniqueStrings(stored);
  }
  if (Array.isArray(stored)) {
    return castToString(stored.at(-1));
  }
  return castToString(stored);
}
