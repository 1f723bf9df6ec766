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

export type { AutodateField } from '../fields/autodate.field';
export type { BoolField } from '../fields/bool.field';
export type { DateField } from '../fields/date.field';
export type { EditorField } from '../fields/editor.field';
export type { EmailField } from '../fields/email.field';
/**
 * The field union and its type names come from the registry (`FIELD_DEFINITIONS`): each type's
 * interface lives in its own `<type>.field.ts` next to its definition, so adding a type is one new
 * file and one registry line. The per-type interfaces are re-exported here for importers' comfort.
 */
export { FIELD_TYPES, type Field, type FieldOf, type FieldType } from '../fields/field-registry';
export type { FileField } from '../fields/file.field';
export type { GeoPointField } from '../fields/geo-point.field';
export type { JsonField } from '../fields/json.field';
export type { NumberField } from '../fields/number.field';
export type { PasswordField } from '../fields/password.field';
export type { RelationField } from '../fields/relation.field';
export type { SelectField } from '../fields/select.field';
export type { TextField } from '../fields/text.field';
export type { UrlField } from '../fields/url.field';

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
