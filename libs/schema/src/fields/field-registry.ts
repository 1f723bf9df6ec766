import type { StorageKind } from '../model/field.model';
import { autodateFieldDefinition } from './autodate.field';
import { boolFieldDefinition } from './bool.field';
import { dateFieldDefinition } from './date.field';
import { editorFieldDefinition } from './editor.field';
import { emailFieldDefinition } from './email.field';
import type { FieldDefinition, FieldOfDefinition, FieldShape } from './field-definition';
import { fileFieldDefinition } from './file.field';
import { geoPointFieldDefinition } from './geo-point.field';
import { jsonFieldDefinition } from './json.field';
import { numberFieldDefinition } from './number.field';
import { passwordFieldDefinition } from './password.field';
import { relationFieldDefinition } from './relation.field';
import { selectFieldDefinition } from './select.field';
import { textFieldDefinition } from './text.field';
import { urlFieldDefinition } from './url.field';

/**
 * A set of field types by wire name; each entry's key must be its definition's `type` (a
 * mismatched key is a compile error through `defineFieldRegistry`).
 */
export type FieldRegistry = { readonly [type: string]: FieldDefinition<FieldShape> };

/** The field union a registry defines: `RegistryField<typeof FIELD_DEFINITIONS>` is `Field`. */
export type RegistryField<R> = { [K in keyof R]: FieldOfDefinition<R[K]> }[keyof R];

/** Checks (at compile time) that every key is its definition's type, and keeps the literal type. */
export function defineFieldRegistry<R extends { readonly [K in keyof R]: FieldDefinition<FieldShape & { type: K }> }>(
  definitions: R,
): R {
  return definitions;
}

/**
 * Every field type's definition, by wire name; the one place a type is registered. `Field`,
 * `FieldType` and `FIELD_TYPES` are derived from it.
 */
export const FIELD_DEFINITIONS = defineFieldRegistry({
  text: textFieldDefinition,
  number: numberFieldDefinition,
  bool: boolFieldDefinition,
  email: emailFieldDefinition,
  url: urlFieldDefinition,
  editor: editorFieldDefinition,
  date: dateFieldDefinition,
  autodate: autodateFieldDefinition,
  select: selectFieldDefinition,
  file: fileFieldDefinition,
  relation: relationFieldDefinition,
  json: jsonFieldDefinition,
  password: passwordFieldDefinition,
  geoPoint: geoPointFieldDefinition,
});

/** Every field type, by its wire name (PocketBase v0.39's, in the registry's order). */
export type FieldType = keyof typeof FIELD_DEFINITIONS;

/** Every field, a union over the registered types' interfaces. */
export type Field = RegistryField<typeof FIELD_DEFINITIONS>;

/** The field interface for one type, e.g. `FieldOf<'relation'>` is `RelationField`. */
export type FieldOf<T extends FieldType> = FieldOfDefinition<(typeof FIELD_DEFINITIONS)[T]>;

/** The registered type names, in the registry's order. */
export const FIELD_TYPES = Object.keys(FIELD_DEFINITIONS) as readonly FieldType[];

/**
 * The registry's questions for any registry (the built-in one below; tests build their own with a
 * toy type). Everything here asks the field's definition; nothing switches on a type name.
 */
export function fieldRegistryOps<R extends FieldRegistry>(definitions: R) {
  type F = RegistryField<R>;
  const definitionOf = <X extends F>(field: X): FieldDefinition<X> =>
    // The registry's own type guarantees the entry for `field.type` is that type's definition.
    definitions[field.type] as unknown as FieldDefinition<X>;
  return {
    definitions,
    types: Object.keys(definitions) as readonly (keyof R & string)[],
    isFieldType: (type: string): type is keyof R & string => Object.hasOwn(definitions, type),
    /** The definition for a field, typed by the field. */
    definitionOf,
    /** How a field's value is stored (its type decides; see `StorageKind`). */
    storageKindOf: (field: F): StorageKind => definitionOf(field).storageKind(field),
    /** Whether the field holds a list (select, relation and file when maxSelect > 1). */
    isMultiValue: (field: F): boolean => definitionOf(field).isMultiValue?.(field) ?? false,
    /** Whether filters may apply `:each` and `:length` to the field (its type holds lists, whatever maxSelect). */
    isListField: (field: F): boolean => definitionOf(field).listCapable === true,
  };
}

const builtIn = fieldRegistryOps(FIELD_DEFINITIONS);

/**
 * The definition for a field, typed by the field: `definitionOf(field).prepareValue(field, raw)`
 * type-checks for a `Field` union as well as for a narrowed `RelationField`.
 */
export const definitionOf: <F extends Field>(field: F) => FieldDefinition<F> = builtIn.definitionOf;

/** How a field's value is stored (its type decides; see `StorageKind`). */
export const storageKindOf: (field: Field) => StorageKind = builtIn.storageKindOf;

/** Whether the field holds a list (select, relation and file when maxSelect > 1). */
export const isMultiValue: (field: Field) => boolean = builtIn.isMultiValue;

/** Whether filters may apply `:each` and `:length` to the field (its type holds lists, whatever maxSelect). */
export const isListField: (field: Field) => boolean = builtIn.isListField;
