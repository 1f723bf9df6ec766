import type { ErrorData, FieldError } from '@hivebase/contracts';
import type { Collection, CollectionLookup } from '../model/collection.model';
import type { Field, FieldCommon, FieldType, StorageKind } from '../model/field.model';

/** What every field interface is: the common keys and its type's wire name. */
export interface FieldShape extends FieldCommon {
  type: string;
}

/** The options of a field type: everything but the common keys and `type`. */
export type FieldOptions<F extends FieldShape> = Omit<F, keyof FieldCommon | 'type'>;

/** What settings validation may consult besides the field itself. */
export interface SettingsContext {
  /** The collection the field belongs to, as submitted (new state). */
  collection: Collection;
  /** Every other collection (for relation targets). */
  lookup: CollectionLookup;
}

/** What value validation may consult. */
export interface ValueContext {
  /** true while creating a record, false while updating. */
  isNew: boolean;
}

/** What a write-time value may consult. */
export interface WriteContext {
  /** true while creating a record, false while updating. */
  isNew: boolean;
  /** The write's timestamp, in the record date format. */
  now: string;
}

/**
 * One field type, PocketBase style: one file per type (its field interface and this definition),
 * registered in `FIELD_DEFINITIONS`, from which `Field` and `FieldType` are derived. Adding a type
 * touches one new file and one registry line.
 */
export interface FieldDefinition<F extends FieldShape> {
  type: F['type'];
  /** Option defaults for a new field of this type (what PocketBase returns for omitted options). */
  defaults(): FieldOptions<F>;
  /**
   * Coerces submitted options (from JSON, possibly partial or of the wrong JSON type) into the
   * typed options, filling defaults. Never throws: wrong types become defaults or are kept for
   * `validateSettings` to reject.
   */
  normalizeOptions(raw: Record<string, unknown>): FieldOptions<F>;
  /** Errors in the field's options, keyed by option name (empty when valid). */
  validateSettings(field: F, context: SettingsContext): ErrorData;
  /** Postgres column type with NOT NULL/DEFAULT, e.g. `text NOT NULL DEFAULT ''`. */
  columnType(field: F): string;
  /** Normalises a submitted value to the stored form (PocketBase's PrepareValue): "5" → 5 for numbers, etc. */
  prepareValue(field: F, raw: unknown): unknown;
  /** Validates a prepared value; null when valid. */
  validateValue(field: F, value: unknown, context: ValueContext): FieldError | null;
  /** The value as it goes out in record JSON. */
  toJson(field: F, stored: unknown): unknown;
  /** How the value is stored: all the filter and record layers need to build SQL for it. */
  storageKind(field: F): StorageKind;
  /** Whether the stored value is a list (`textList`); absent means never. */
  isMultiValue?(field: F): boolean;
  /** The type takes `:each` and `:length` in filters, whether it holds one value or many. */
  readonly listCapable?: boolean;
  /**
   * A value the system sets on writes, whatever was submitted (autodate): the writer never reads
   * input for such a type, and leaves the column alone when this returns undefined.
   */
  systemValue?(field: F, context: WriteContext): unknown;
  /** The prepared value as the column takes it (json → the text of a jsonb); absent means as is. */
  toColumnValue?(field: F, value: unknown): unknown;
  /** Submitted values carry uploads the records layer stores and names (file). */
  readonly storesUploads?: boolean;
}

export type AnyFieldDefinition = { [T in FieldType]: FieldDefinition<Extract<Field, { type: T }>> }[FieldType];

/** The field interface a definition is for: `FieldOfDefinition<typeof textFieldDefinition>` is `TextField`. */
export type FieldOfDefinition<D> = D extends FieldDefinition<infer F> ? F : never;

/** Field error helper: PocketBase's `{code, message, params?}`. */
export function fieldError(code: string, message: string, params?: Record<string, unknown>): FieldError {
  return params ? { code, message, params } : { code, message };
}

export type { Field };
