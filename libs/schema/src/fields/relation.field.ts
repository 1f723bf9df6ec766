import type { FieldError } from '@hivebase/contracts';
import type { Collection } from '../model/collection.model';
import type { HelpfulField } from '../model/field.model';
import type { FieldDefinition, SettingsContext } from './field-definition';
import { fieldError } from './field-definition';
import { checkRange, collectErrors, requiredError, validateCommonSettings } from './field-errors.util';
import { isMultiple, multiValueColumnType, multiValueToJson, prepareMultiValue, valueList } from './multi-value.util';
import { readBoolean, readHelp, readInteger, readString } from './option-readers.util';

export interface RelationField extends HelpfulField {
  type: 'relation';
  required: boolean;
  collectionId: string;
  cascadeDelete: boolean;
  minSelect: number;
  maxSelect: number;
}

/**
 * `relation`: one (`maxSelect` <= 1) or several record ids of the collection `collectionId`; a
 * string or a text[]. That the ids exist needs the database, so the records layer checks it
 * (PocketBase's `validation_missing_rel_records`).
 */
export const relationFieldDefinition: FieldDefinition<RelationField> = {
  type: 'relation',

  defaults: () => ({ help: '', required: false, collectionId: '', cascadeDelete: false, minSelect: 0, maxSelect: 0 }),

  normalizeOptions: (raw) => ({
    help: readHelp(raw),
    required: readBoolean(raw, 'required', false),
    collectionId: readString(raw, 'collectionId', ''),
    cascadeDelete: readBoolean(raw, 'cascadeDelete', false),
    minSelect: readInteger(raw, 'minSelect', 0),
    maxSelect: readInteger(raw, 'maxSelect', 0),
  }),

  validateSettings: (field, context) =>
    collectErrors({
      ...validateCommonSettings(field),
      collectionId: field.collectionId === '' ? requiredError() : checkCollectionId(field, context),
      minSelect: checkRange(field.minSelect, 0, null),
      maxSelect:
        field.minSelect > 0 && field.maxSelect === 0
          ? requiredError()
          : checkRange(field.maxSelect, field.minSelect, null),
    }),

  columnType: (field) => multiValueColumnType(field.maxSelect),

  storageKind: (field) => (isMultiple(field.maxSelect) ? 'textList' : 'text'),

  isMultiValue: (field) => isMultiple(field.maxSelect),

  listCapable: true,

  prepareValue: (field, raw) => prepareMultiValue(field.maxSelect, raw),

  validateValue(field, value) {
    const ids = valueList(value);
    if (ids.length === 0) {
      return field.required ? requiredError() : null;
    }
    if (field.minSelect > 0 && ids.length < field.minSelect) {
      return fieldError('validation_not_enough_values', `Select at least ${field.minSelect}.`, {
        minSelect: field.minSelect,
      });
    }
    const maxSelect = Math.max(field.maxSelect, 1);
    if (ids.length > maxSelect) {
      return fieldError('validation_too_many_values', `Select no more than ${maxSelect}.`, { maxSelect });
    }
    return null;
  },

  toJson: (field, stored) => multiValueToJson(field.maxSelect, stored),
};

function checkCollectionId(field: RelationField, { collection, lookup }: SettingsContext): FieldError | null {
  const saved = lookup.find(collection.id);
  const oldField = saved?.id === collection.id ? saved.fields.find((f) => f.id === field.id) : undefined;
  if (oldField?.type === 'relation' && oldField.collectionId !== field.collectionId) {
    return fieldError('validation_field_relation_change', 'The relation collection cannot be changed.');
  }
  // A relation to its own collection works before that collection is saved.
  const target: Collection | undefined =
    field.collectionId === collection.id ? collection : lookup.find(field.collectionId);
  // The option must be the id, not a name (the lookup also finds by name).
  if (!target || target.id !== field.collectionId) {
    return fieldError('validation_field_relation_missing_collection', "The relation collection doesn't exist.");
  }
  // Only views may point at views (pocketbase/pocketbase#3000).
  if (collection.type !== 'view' && target.type === 'view') {
    return fieldError(
      'validation_relation_field_non_view_base_collection',
      'Only view collections are allowed to have relations to other views.',
    );
  }
  return null;
}
