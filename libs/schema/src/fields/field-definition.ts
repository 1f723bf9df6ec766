import type { ErrorData, FieldError } from '@hivebase/contracts';
import type { Collection, CollectionLookup } from '../model/collection.model';
import type { Field, FieldCommon, FieldOf, FieldType, StorageKind } from '../model/field.model';

/** The options of a field type: everything but the common keys and `type`. */
export type FieldOptions<T extends FieldType> = Omit<FieldOf<T>, keyof FieldCommon | 'type'>;

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
 * One field type, PocketBase style: one file per type, all behind this interface, registered in
 * `FIELD_DEFINITIONS`. Adding a type touches one new file and one registry line.
 */
export interface FieldDefinition<T extends FieldType> {
  type: T;
  /** Option defaults for a new field of this type (what PocketBase returns for omitted options). */
  defaults(): FieldOptions<T>;
  /**
   * Coerces submitted options (from JSON, possibly partial or of the wrong JSON type) into the
   * typed options, filling defaults. Never throws: wrong types become defaults or are kept for
   * `validateSettings` to reject.
   */
  normalizeOptions(raw: Record<string, unknown>): FieldOptions<T>;
  /** Errors in the field's options, keyed by option name (empty when valid). */
  validateSettings(field: FieldOf<T>, context: SettingsContext): ErrorData;
  /** Postgres column type with NOT NULL/DEFAULT, e.g. `text NOT NULL DEFAULT ''`. */
  columnType(field: FieldOf<T>): string;
  /** Normalises a submitted value to the stored form (PocketBase's PrepareValue): "5" → 5 for numbers, etc. */
  prepareValue(field: FieldOf<T>, raw: unknown): unknown;
  /** Validates a prepared value; null when valid. */
  validateValue(field: FieldOf<T>, value: unknown, context: ValueContext): FieldError | null;
  /** The value as it goes out in record JSON. */
  toJson(field: FieldOf<T>, stored: unknown): unknown;
  /** How the value is stored: all the filter and record layers need to build SQL for it. */
  storageKind(field: FieldOf<T>): StorageKind;
  /** Whether the stored value is a list (`textList`); absent means never. */
  isMultiValue?(field: FieldOf<T>): boolean;
  /** The type takes `:each` and `:length` in filters, whether it holds one value or many. */
  readonly listCapable?: boolean;
  /**
   * A value the system sets on writes, whatever was submitted (autodate): the writer never reads
   * input for such a type, and leaves the column alone when this returns undefined.
   */
  systemValue?(field: FieldOf<T>, context: WriteContext): unknown;
  /** The prepared value as the column takes it (json → the text of a jsonb); absent means as is. */
  toColumnValue?(field: FieldOf<T>, value: unknown): unknown;
  /** Submitted values carry uploads the records layer stores and names (file). */
  readonly storesUploads?: boolean;
}

export type AnyFieldDefinition = { [T in FieldType]: FieldDefinition<T> }[FieldType];

/** Field error helper: PocketBase's `{code, message, params?}`. */
export function fieldError(code: string, message: string, params?: Record<string, unknown>): FieldError {
  return params ? { code, message, params } : { code, message };
}

export type { Field };
