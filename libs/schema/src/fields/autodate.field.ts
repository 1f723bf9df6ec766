import type { FieldCommon } from '../model/field.model';
import { normalizeDateTime } from './date-time.util';
import type { FieldDefinition, SettingsContext } from './field-definition';
import { collectErrors, requiredError, validateCommonSettings, valuesMismatchError } from './field-errors.util';
import { readBoolean } from './option-readers.util';

const noTriggerError = () => requiredError('Either onCreate or onUpdate must be enabled.');

export interface AutodateField extends FieldCommon {
  type: 'autodate';
  onCreate: boolean;
  onUpdate: boolean;
}

/**
 * `autodate`: a datetime the server sets on create and/or update (`created`, `updated`), stored
 * like `date`. Submitted values are ignored by the records layer, so there is nothing to validate.
 */
export const autodateFieldDefinition: FieldDefinition<AutodateField> = {
  type: 'autodate',

  defaults: () => ({ onCreate: false, onUpdate: false }),

  normalizeOptions: (raw) => ({
    onCreate: readBoolean(raw, 'onCreate', false),
    onUpdate: readBoolean(raw, 'onUpdate', false),
  }),

  validateSettings(field, context) {
    // System autodates (e.g. `created` of the superusers) keep their triggers.
    const old = field.system ? savedVersionOf(field, context) : undefined;
    return collectErrors({
      ...validateCommonSettings(field),
      onCreate:
        old && old.onCreate !== field.onCreate
          ? valuesMismatchError()
          : !field.onCreate && !field.onUpdate
            ? noTriggerError()
            : null,
      onUpdate:
        old && old.onUpdate !== field.onUpdate
          ? valuesMismatchError()
          : !field.onCreate && !field.onUpdate
            ? noTriggerError()
            : null,
    });
  },

  columnType: () => "text NOT NULL DEFAULT ''",

  storageKind: () => 'text',

  systemValue: (field, { isNew, now }) => ((isNew && field.onCreate) || (!isNew && field.onUpdate) ? now : undefined),

  prepareValue: (_field, raw) => normalizeDateTime(raw),

  validateValue: () => null,

  toJson: (_field, stored) => normalizeDateTime(stored),
};

function savedVersionOf(field: AutodateField, { collection, lookup }: SettingsContext): AutodateField | undefined {
  const saved = lookup.find(collection.id);
  const old = saved?.id === collection.id ? saved.fields.find((f) => f.id === field.id) : undefined;
  return old?.type === 'autodate' ? old : undefined;
}
