import type { Field, FieldType, StorageKind } from '../model/field.model';
import { autodateFieldDefinition } from './autodate.field';
import { boolFieldDefinition } from './bool.field';
import { dateFieldDefinition } from './date.field';
import { editorFieldDefinition } from './editor.field';
import { emailFieldDefinition } from './email.field';
import type { FieldDefinition } from './field-definition';
import { fileFieldDefinition } from './file.field';
import { geoPointFieldDefinition } from './geo-point.field';
import { jsonFieldDefinition } from './json.field';
import { numberFieldDefinition } from './number.field';
import { passwordFieldDefinition } from './password.field';
import { relationFieldDefinition } from './relation.field';
import { selectFieldDefinition } from './select.field';
import { textFieldDefinition } from './text.field';
import { urlFieldDefinition } from './url.field';

/** Every field type's definition, by wire name. The mapped type makes a missing type a compile error. */
export const FIELD_DEFINITIONS: { readonly [T in FieldType]: FieldDefinition<T> } = {
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
};

/**
 * The definition for a field, typed by the field: `definitionOf(field).prepareValue(field, raw)`
 * type-checks for a `Field` union as well as for a narrowed `RelationField`.
 */
export function definitionOf<F extends Field>(field: F): FieldDefinition<F['type']> {
  // Indexing a mapped type by a generic key loses the link TS needs; the registry's own type
  // guarantees the entry for `field.type` is that type's definition.
  return FIELD_DEFINITIONS[field.type] as unknown as FieldDefinition<F['type']>;
}

/** How a field's value is stored (its type decides; see `StorageKind`). */
export function storageKindOf(field: Field): StorageKind {
  return definitionOf(field).storageKind(field as never);
}

/** Whether the field holds a list (select, relation and file when maxSelect > 1). */
export function isMultiValue(field: Field): boolean {
  return definitionOf(field).isMultiValue?.(field as never) ?? false;
}

/** Whether filters may apply `:each` and `:length` to the field (its type holds lists, whatever maxSelect). */
export function isListField(field: Field): boolean {
  return definitionOf(field).listCapable === true;
}
