/** Every field type PocketBase v0.39 has, by its wire name. */
export const FIELD_TYPES = [
  'text',
  'number',
  'bool',
  'email',
  'url',
  'editor',
  'date',
  'autodate',
  'select',
  'file',
  'relation',
  'json',
  'password',
  'geoPoint',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** What every field has. `required` lives on the types that have it in PocketBase. */
export interface FieldCommon {
  id: string;
  name: string;
  system: boolean;
  hidden: boolean;
  presentable: boolean;
}

/**
 * Every type but `autodate` also has `help`, a hint the dashboard shows under the input. Optional
 * because definitions stored before Hivebase kept it lack it; collection JSON shows those as "".
 */
export interface HelpfulField extends FieldCommon {
  help?: string;
}

export interface TextField extends HelpfulField {
  type: 'text';
  required: boolean;
  min: number;
  max: number;
  pattern: string;
  autogeneratePattern: string;
  primaryKey: boolean;
}

export interface NumberField extends HelpfulField {
  type: 'number';
  required: boolean;
  /** null = no bound. */
  min: number | null;
  max: number | null;
  onlyInt: boolean;
}

export interface BoolField extends HelpfulField {
  type: 'bool';
  required: boolean;
}

export interface EmailField extends HelpfulField {
  type: 'email';
  required: boolean;
  exceptDomains: string[] | null;
  onlyDomains: string[] | null;
}

export interface UrlField extends HelpfulField {
  type: 'url';
  required: boolean;
  exceptDomains: string[] | null;
  onlyDomains: string[] | null;
}

export interface EditorField extends HelpfulField {
  type: 'editor';
  required: boolean;
  /** Bytes; 0 = the default limit. */
  maxSize: number;
  convertURLs: boolean;
}

export interface DateField extends HelpfulField {
  type: 'date';
  required: boolean;
  /** `YYYY-MM-DD HH:MM:SS.sssZ` or "" for no bound. */
  min: string;
  max: string;
}

export interface AutodateField extends FieldCommon {
  type: 'autodate';
  onCreate: boolean;
  onUpdate: boolean;
}

export interface SelectField extends HelpfulField {
  type: 'select';
  required: boolean;
  values: string[];
  /** 0 or 1 = single value (a string); more = a list. */
  maxSelect: number;
}

export interface FileField extends HelpfulField {
  type: 'file';
  required: boolean;
  /** Bytes per file; 0 = the default limit. */
  maxSize: number;
  maxSelect: number;
  mimeTypes: string[] | null;
  thumbs: string[] | null;
  protected: boolean;
}

export interface RelationField extends HelpfulField {
  type: 'relation';
  required: boolean;
  collectionId: string;
  cascadeDelete: boolean;
  minSelect: number;
  maxSelect: number;
}

export interface JsonField extends HelpfulField {
  type: 'json';
  required: boolean;
  /** Bytes; 0 = the default limit. */
  maxSize: number;
}

export interface PasswordField extends HelpfulField {
  type: 'password';
  required: boolean;
  pattern: string;
  min: number;
  max: number;
  /** bcrypt cost; 0 = the default. */
  cost: number;
}

export interface GeoPointField extends HelpfulField {
  type: 'geoPoint';
  required: boolean;
}

export type Field =
  | TextField
  | NumberField
  | BoolField
  | EmailField
  | UrlField
  | EditorField
  | DateField
  | AutodateField
  | SelectField
  | FileField
  | RelationField
  | JsonField
  | PasswordField
  | GeoPointField;

/** The field interface for one type, e.g. `FieldOf<'relation'>` is `RelationField`. */
export type FieldOf<T extends FieldType> = Extract<Field, { type: T }>;

/**
 * How a field's value is stored, which is all the filter and record layers need to know to build
 * SQL for it (see docs/schema-storage.md):
 * - `text`: `text NOT NULL DEFAULT ''` (text, email, url, editor, single select/relation/file,
 *   password hash, and date/autodate as PocketBase's `YYYY-MM-DD HH:MM:SS.sssZ` strings)
 * - `number`: `double precision NOT NULL DEFAULT 0`
 * - `bool`: `boolean NOT NULL DEFAULT false`
 * - `textList`: `text[] NOT NULL DEFAULT '{}'` (multiple select/relation/file values)
 * - `json`: `jsonb NULL` (json)
 * - `geoPoint`: `jsonb NOT NULL DEFAULT '{"lon":0,"lat":0}'`
 */
export type StorageKind = 'text' | 'number' | 'bool' | 'textList' | 'json' | 'geoPoint';
