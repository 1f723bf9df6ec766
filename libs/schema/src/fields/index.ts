export { autodateFieldDefinition } from './autodate.field';
export { boolFieldDefinition } from './bool.field';
export { dateFieldDefinition } from './date.field';
export { formatDateTimeMs, normalizeDateTime, parseDateTimeMs } from './date-time.util';
export { EDITOR_DEFAULT_MAX_SIZE, editorFieldDefinition } from './editor.field';
export { emailFieldDefinition } from './email.field';
export {
  type AnyFieldDefinition,
  type FieldDefinition,
  type FieldOptions,
  fieldError,
  type SettingsContext,
  type ValueContext,
  type WriteContext,
} from './field-definition';
export { fieldToJson } from './field-json';
export { definitionOf, FIELD_DEFINITIONS, isListField, isMultiValue, storageKindOf } from './field-registry';
export { FILE_DEFAULT_MAX_SIZE, fileFieldDefinition, THUMB_SIZE_PATTERN } from './file.field';
export { type GeoPoint, geoPointFieldDefinition, toGeoPoint } from './geo-point.field';
export { type CompiledPattern, compileGoRegexp, matchesGoRegexp } from './go-regexp.util';
export { JSON_DEFAULT_MAX_SIZE, type JsonValue, jsonColumnValue, jsonFieldDefinition, toJsonValue } from './json.field';
export { type NormalizeFieldResult, normalizeField } from './normalize-field';
export { numberFieldDefinition } from './number.field';
export {
  BCRYPT_DEFAULT_COST,
  BCRYPT_MAX_COST,
  BCRYPT_MIN_COST,
  comparableBcryptHash,
  PASSWORD_MAX_LENGTH,
  passwordFieldDefinition,
} from './password.field';
export { checkGeneratorPattern, generateFromPattern, PatternGeneratorError } from './pattern-generator.util';
export { relationFieldDefinition } from './relation.field';
export { selectFieldDefinition } from './select.field';
export { TEXT_DEFAULT_MAX_LENGTH, textFieldDefinition, validateTextValue } from './text.field';
export { urlFieldDefinition } from './url.field';
