import type { ErrorData } from '@hivebase/contracts';
import { fieldError } from '../fields/field-definition';
import { definitionOf } from '../fields/field-registry';
import { validateIndexes } from '../indexes';
import type { Collection, CollectionLookup } from '../model/collection.model';
import type { Field } from '../model/field.model';
import { validateOAuth2Config } from '../oauth2/validate-oauth2-config';

const NAME_PATTERN = /^[A-Za-z0-9_]+$/;
/** Tables Hivebase keeps for itself; no collection may take their names. */
const RESERVED_NAMES = new Set(['_collections', '_params', '_migrations', '_outbox', '_logs']);

export interface ValidationContext {
  /** The stored collection being updated; absent on create. */
  original?: Collection;
  /** Every collection, this one's stored version included. */
  lookup: CollectionLookup;
}

const othersThan = (collection: Collection, { original, lookup }: ValidationContext) =>
  // The lookup may hold this very draft (imports validate against the whole future set); on create a
  // stored collection with the same id is another one, not this.
  lookup.all().filter((other) => other !== collection && (!original || other.id !== original.id));

function validateName(collection: Collection, { original, lookup }: ValidationContext): ErrorData {
  const { name } = collection;
  if (!name) return { name: fieldError('validation_required', 'Missing required value.') };
  if (name.length > 255)
    return { name: fieldError('validation_length_too_long', 'The length must be no more than 255.') };
  if (!NAME_PATTERN.test(name)) return { name: fieldError('validation_match_invalid', 'Must be in a valid format.') };
  if (name.includes('_via_')) {
    return { name: fieldError('validation_invalid_name', 'The name cannot contain "_via_".') };
  }
  if (RESERVED_NAMES.has(name.toLowerCase())) {
    return { name: fieldError('validation_collection_name_reserved', 'The name is reserved.') };
  }
  if (original?.system && original.name !== name) {
    return {
      name: fieldError('validation_collection_system_name_change', 'System collection name cannot be changed.'),
    };
  }
  const others = othersThan(collection, { original, lookup });
  if (others.some((other) => other.name.toLowerCase() === name.toLowerCase())) {
    return {
      name: fieldError('validation_collection_name_exists', 'Collection name must be unique (case insensitive).'),
    };
  }
  if (others.some((other) => other.id === name)) {
    return {
      name: fieldError('validation_collection_name_id_duplicate', 'The name must not match an existing collection id.'),
    };
  }
  return {};
}

const ID_PATTERN = /^\w+$/;

/** A new collection's id: PocketBase's format, and not taken (an update keeps its id). */
function validateId(collection: Collection, { original, lookup }: ValidationContext): ErrorData {
  if (original) return {};
  const { id } = collection;
  if (!id) return { id: fieldError('validation_required', 'Missing required value.') };
  if ([...id].length > 100) {
    return {
      id: fieldError('validation_length_out_of_range', 'The length must be between 1 and 100.', { min: 1, max: 100 }),
    };
  }
  if (!ID_PATTERN.test(id)) return { id: fieldError('validation_match_invalid', 'Must be in a valid format.') };
  if (othersThan(collection, { original, lookup }).some((other) => other.id === id)) {
    return { id: fieldError('validation_invalid_or_existing_id', 'The model id is invalid or already exists.') };
  }
  return {};
}

function validateFieldList(collection: Collection, context: ValidationContext): ErrorData {
  const errors: ErrorData = {};
  const seenNames = new Map<string, number>();
  const seenIds = new Set<string>();
  collection.fields.forEach((field, index) => {
    const fieldErrors: ErrorData = {};
    // Name format and reserved names are each field type's own settings check (validateSettings).
    const lower = field.name.toLowerCase();
    if (seenNames.has(lower)) {
      fieldErrors.name = fieldError('validation_duplicated_field_name', 'Duplicated or invalid field name.');
    }
    seenNames.set(lower, index);
    if (seenIds.has(field.id)) fieldErrors.id = fieldError('validation_duplicated_field_id', 'Duplicated field id.');
    seenIds.add(field.id);

    const before = context.original?.fields.find((old) => old.id === field.id);
    if (before && before.type !== field.type) {
      fieldErrors.type = fieldError('validation_field_type_change', 'Field type cannot be changed.');
    } else if (before?.system && before.name !== field.name) {
      fieldErrors.name = fieldError('validation_system_field_change', 'System field name cannot be changed.');
    }
    if (!fieldErrors.type) {
      const settings = definitionOf(field).validateSettings(field as never, { collection, lookup: context.lookup });
      Object.assign(fieldErrors, { ...settings, ...fieldErrors });
    }
    if (Object.keys(fieldErrors).length > 0) errors[String(index)] = fieldErrors;
  });

  // System fields may not be removed.
  for (const old of context.original?.fields ?? []) {
    if (old.system && !collection.fields.some((field) => field.id === old.id)) {
      errors[String(collection.fields.length)] = {
        id: fieldError('validation_system_field_remove', `System field "${old.name}" cannot be removed.`),
      };
    }
  }
  if (collection.type !== 'view' && !collection.fields.some((field: Field) => field.name === 'id')) {
    errors.id = fieldError('validation_missing_id_field', 'The id field is required.');
  }
  return Object.keys(errors).length > 0 ? { fields: errors } : {};
}

function validateRules(collection: Collection, original?: Collection): ErrorData {
  const errors: ErrorData = {};
  const keys = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;
  for (const key of keys) {
    if (collection.type === 'view' && (key === 'createRule' || key === 'updateRule' || key === 'deleteRule')) {
      if (collection[key] !== null)
        errors[key] = fieldError('validation_nil_invalid', 'View collections cannot have write rules.');
      continue;
    }
    if (original?.system && original[key] !== collection[key]) {
      errors[key] = fieldError(
        'validation_collection_system_rule_change',
        'System collection API rule cannot be changed.',
      );
    }
  }
  if (collection.type === 'auth') {
    for (const key of ['authRule', 'manageRule'] as const) {
      if (original?.system && original.type === 'auth' && original[key] !== collection[key]) {
        errors[key] = fieldError(
          'validation_collection_system_rule_change',
          'System collection API rule cannot be changed.',
        );
      }
    }
    // PocketBase's NilOrNotEmpty: "" would let everyone manage every record; null is the way to say "nobody".
    if (collection.manageRule === '') {
      errors.manageRule = fieldError('validation_nil_or_not_empty_required', 'Cannot be blank.');
    }
  }
  return errors;
}

function validateAuthOptions(collection: Collection): ErrorData {
  if (collection.type !== 'auth') return {};
  const errors: ErrorData = {};
  const names = new Set(collection.fields.map((field) => field.name));
  for (const kind of [
    'authToken',
    'passwordResetToken',
    'emailChangeToken',
    'verificationToken',
    'fileToken',
  ] as const) {
    const { duration, secret } = collection[kind];
    const problems: ErrorData = {};
    if (!Number.isInteger(duration) || duration < 10 || duration > 94_670_856) {
      problems.duration = fieldError(
        'validation_min_greater_equal_than_required',
        'Must be between 10 and 94670856 seconds.',
      );
    }
    if (typeof secret !== 'string' || secret.length < 30 || secret.length > 255) {
      problems.secret = fieldError('validation_length_out_of_range', 'The length must be between 30 and 255.');
    }
    if (Object.keys(problems).length > 0) errors[kind] = problems;
  }
  const identity = collection.passwordAuth.identityFields;
  if (!Array.isArray(identity) || (collection.passwordAuth.enabled && identity.length === 0)) {
    errors.passwordAuth = { identityFields: fieldError('validation_required', 'Missing required value.') };
  } else if (identity.some((name) => typeof name !== 'string' || !names.has(name))) {
    errors.passwordAuth = {
      identityFields: fieldError('validation_missing_field', 'Identity fields must be fields of the collection.'),
    };
  }
  const oauth2 = validateOAuth2Config(collection.oauth2);
  if (Object.keys(oauth2).length > 0) errors.oauth2 = oauth2;
  if (collection.mfa.enabled) {
    const methods = [collection.passwordAuth.enabled, collection.oauth2.enabled, collection.otp.enabled].filter(
      Boolean,
    );
    if (methods.length < 2) {
      errors.mfa = {
        enabled: fieldError('validation_mfa_not_enough_auths', 'MFA requires at least 2 auth methods to be enabled.'),
      };
    }
  }
  return errors;
}

/**
 * Everything PocketBase checks before saving a collection, as `{data}` for a 400 (empty when
 * valid). The view query is checked against the database by the writer.
 */
export function validateCollection(collection: Collection, context: ValidationContext): ErrorData {
  const errors: ErrorData = {
    ...validateId(collection, context),
    ...validateName(collection, context),
    ...validateFieldList(collection, context),
    ...validateRules(collection, context.original),
    ...validateAuthOptions(collection),
  };
  if (context.original && context.original.type !== collection.type) {
    errors.type = fieldError('validation_collection_type_change', 'Collection type cannot be changed.');
  }
  if (collection.type === 'view' && !collection.viewQuery.trim()) {
    errors.viewQuery = fieldError('validation_required', 'Missing required value.');
  }
  if (collection.type !== 'view') {
    Object.assign(errors, validateIndexes(collection, { original: context.original, lookup: context.lookup }));
  }
  return errors;
}
