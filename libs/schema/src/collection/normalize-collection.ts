import type { ErrorData } from '@hivebase/contracts';
import { normalizeField } from '../fields/normalize-field';
import { replaceIndexColumn, replaceIndexTable } from '../indexes';
import {
  type ApiRule,
  type AuthOptions,
  COLLECTION_TYPES,
  type Collection,
  type CollectionType,
  type OAuth2Provider,
} from '../model/collection.model';
import type { Field } from '../model/field.model';
import { crc32Checksum } from '../util/crc32';
import { defaultAuthOptions, TOKEN_KINDS } from './auth-defaults';
import { ensureSystemFields, ensureSystemIndexes } from './system-fields';

export type JsonObject = Record<string, unknown>;

const RULES = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;
const AUTH_RULES = ['authRule', 'manageRule'] as const;
const AUTH_OBJECT_OPTIONS = [
  'authAlert',
  'oauth2',
  'passwordAuth',
  'mfa',
  'otp',
  ...TOKEN_KINDS,
  'verificationTemplate',
  'resetPasswordTemplate',
  'confirmEmailChangeTemplate',
] as const;
const AUTH_OPTION_KEYS = [...AUTH_RULES, ...AUTH_OBJECT_OPTIONS] satisfies (keyof AuthOptions)[];

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** PocketBase's default collection id: `pbc_` + crc32(type + name). */
export const defaultCollectionId = (type: CollectionType, name: string) => `pbc_${crc32Checksum(type + name)}`;

export interface NormalizeResult {
  collection: Collection;
  /** Input that could not even be read into the model (wrong JSON types, unknown field types). */
  errors: ErrorData;
}

function ruleOf(value: unknown, fallback: ApiRule, key: string, errors: ErrorData): ApiRule {
  if (value === undefined) return fallback;
  if (value === null || typeof value === 'string') return value;
  errors[key] = { code: 'validation_invalid_rule', message: 'Must be a filter expression string or null.' };
  return fallback;
}

/**
 * Providers as submitted, each keeping the stored client secret of the provider with its name
 * when it brings none: collection JSON never shows secrets, so clients send them back empty.
 */
function keepClientSecrets(submitted: unknown[], stored: readonly OAuth2Provider[]): unknown[] {
  return submitted.map((provider) => {
    if (!isObject(provider) || (provider.clientSecret !== undefined && provider.clientSecret !== '')) return provider;
    const previous = stored.find((candidate) => candidate.name === provider.name);
    return previous ? { ...provider, clientSecret: previous.clientSecret } : provider;
  });
}

/** Submitted auth options laid over the current (or default) ones; secrets are kept unless given. */
function mergeAuthOptions(raw: JsonObject, current: AuthOptions, errors: ErrorData): AuthOptions {
  // Only the option keys: `current` may be a whole stored collection.
  const merged = structuredClone(
    Object.fromEntries(AUTH_OPTION_KEYS.map((key) => [key, current[key]])),
  ) as unknown as AuthOptions;
  for (const key of AUTH_RULES) merged[key] = ruleOf(raw[key], current[key], key, errors);
  for (const key of AUTH_OBJECT_OPTIONS) {
    const submitted = raw[key];
    if (submitted === undefined) continue;
    if (!isObject(submitted)) {
      errors[key] = { code: 'validation_invalid_value', message: 'Must be an object.' };
      continue;
    }
    const target = merged[key] as unknown as JsonObject;
    for (const [option, value] of Object.entries(submitted)) {
      // An empty secret from a client that read the masked JSON back means "unchanged".
      if (option === 'secret' && (value === '' || value === undefined)) continue;
      if (key === 'oauth2' && option === 'providers' && Array.isArray(value)) {
        target.providers = keepClientSecrets(value, current.oauth2.providers);
        continue;
      }
      target[option] =
        isObject(value) && isObject(target[option]) ? { ...(target[option] as JsonObject), ...value } : value;
    }
  }
  return merged;
}

function normalizeFields(raw: unknown, existing: Field[], errors: ErrorData): Field[] {
  if (raw === undefined) return existing;
  if (!Array.isArray(raw)) {
    errors.fields = { code: 'validation_invalid_value', message: 'Must be an array of fields.' };
    return existing;
  }
  const fields: Field[] = [];
  const fieldErrors: ErrorData = {};
  const takenIds = new Set<string>();
  raw.forEach((item, index) => {
    // A field sent without id but named like an existing one is that field (PocketBase matches by name then).
    const withId =
      isObject(item) && !item.id && typeof item.name === 'string'
        ? { ...item, id: existing.find((field) => field.name === item.name)?.id }
        : item;
    const result = normalizeField(withId, takenIds);
    if ('field' in result) {
      fields.push(result.field);
      takenIds.add(result.field.id);
    } else {
      fieldErrors[String(index)] = result.errors;
    }
  });
  if (Object.keys(fieldErrors).length > 0) errors.fields = fieldErrors;
  return fields;
}

/** Index strings follow a table or column rename, as PocketBase rewrites them on save. */
function followRenames(indexes: string[], before: Collection, after: Collection): string[] {
  const renamed = after.fields
    .map((field) => ({ field, old: before.fields.find((candidate) => candidate.id === field.id) }))
    .filter(({ field, old }) => old !== undefined && old.name !== field.name);
  return indexes.map((sql) => {
    let rewritten = before.name !== after.name ? replaceIndexTable(sql, after.name) : sql;
    // Through temporary names, so two swapped columns do not collapse into one.
    for (const { field, old } of renamed)
      rewritten = replaceIndexColumn(rewritten, old?.name ?? '', `__hb_${field.id}`);
    for (const { field } of renamed) rewritten = replaceIndexColumn(rewritten, `__hb_${field.id}`, field.name);
    return rewritten;
  });
}

/**
 * Reads submitted collection JSON into the model: over `existing` for an update (PATCH
 * semantics: omitted keys keep their value), over PocketBase's defaults for a create. System
 * fields and indexes are put in place; `created`/`updated` are the writer's job.
 */
export function normalizeCollection(raw: unknown, existing?: Collection): NormalizeResult {
  const errors: ErrorData = {};
  const input: JsonObject = isObject(raw) ? raw : {};
  if (!isObject(raw)) errors[''] = { code: 'validation_invalid_value', message: 'Must be a JSON object.' };

  const rawType = input.type ?? existing?.type ?? 'base';
  const type: CollectionType = COLLECTION_TYPES.includes(rawType as CollectionType)
    ? (rawType as CollectionType)
    : 'base';
  if (rawType !== type) errors.type = { code: 'validation_in_invalid', message: 'Must be a valid value.' };

  const name = typeof input.name === 'string' ? input.name.trim() : (existing?.name ?? '');
  if (input.name !== undefined && typeof input.name !== 'string') {
    errors.name = { code: 'validation_invalid_value', message: 'Must be a string.' };
  }
  const id =
    existing?.id ?? (typeof input.id === 'string' && input.id !== '' ? input.id : defaultCollectionId(type, name));

  const base = {
    id,
    name,
    type,
    system: existing?.system ?? false,
    fields: normalizeFields(input.fields, existing?.fields ?? [], errors),
    indexes: Array.isArray(input.indexes)
      ? input.indexes.filter((index): index is string => typeof index === 'string')
      : (existing?.indexes ?? []),
    listRule: null as ApiRule,
    viewRule: null as ApiRule,
    createRule: null as ApiRule,
    updateRule: null as ApiRule,
    deleteRule: null as ApiRule,
    created: existing?.created ?? '',
    updated: existing?.updated ?? '',
  };
  if (input.indexes !== undefined && !Array.isArray(input.indexes)) {
    errors.indexes = { code: 'validation_invalid_value', message: 'Must be an array of index statements.' };
  }
  for (const rule of RULES) base[rule] = ruleOf(input[rule], existing?.[rule] ?? null, rule, errors);

  let collection: Collection;
  if (type === 'auth') {
    const current = existing?.type === 'auth' ? existing : defaultAuthOptions();
    collection = { ...base, ...mergeAuthOptions(input, current, errors), type };
  } else if (type === 'view') {
    const viewQuery =
      typeof input.viewQuery === 'string' ? input.viewQuery : existing?.type === 'view' ? existing.viewQuery : '';
    collection = { ...base, type, viewQuery };
  } else {
    collection = { ...base, type };
  }
  collection.fields = ensureSystemFields(collection);
  if (existing) collection.indexes = followRenames(collection.indexes, existing, collection);
  collection.indexes = ensureSystemIndexes(collection);
  return { collection, errors };
}
