import { findSingleColumnUniqueIndex } from '../indexes';
import type { Collection } from '../model/collection.model';
import type { Field } from '../model/field.model';
import { makeField } from './make-field';

/** The `id` field every base and auth collection starts with. */
export const idField = () =>
  makeField('text', 'id', {
    system: true,
    required: true,
    primaryKey: true,
    min: 15,
    max: 15,
    pattern: '^[a-z0-9]+$',
    autogeneratePattern: '[a-z0-9]{15}',
  });

/** Auth collections' system fields, after `id`. */
export const authSystemFields = (): Field[] => [
  makeField('password', 'password', { system: true, hidden: true, required: true, min: 8 }),
  makeField('text', 'tokenKey', {
    system: true,
    hidden: true,
    required: true,
    min: 30,
    max: 60,
    autogeneratePattern: '[a-zA-Z0-9]{50}',
  }),
  makeField('email', 'email', { system: true, required: true }),
  makeField('bool', 'emailVisibility', { system: true }),
  makeField('bool', 'verified', { system: true }),
];

/**
 * Puts the system fields in place, as PocketBase does on every save: missing ones are added
 * (`id` first), present ones keep their options but get their system flags back.
 */
export function ensureSystemFields(collection: Collection): Field[] {
  if (collection.type === 'view') return collection.fields;
  const required = collection.type === 'auth' ? [idField(), ...authSystemFields()] : [idField()];
  const fields = [...collection.fields];
  for (const systemField of required) {
    const index = fields.findIndex((field) => field.name === systemField.name);
    if (index === -1) {
      if (systemField.name === 'id') fields.unshift(systemField);
      else fields.push(systemField);
      continue;
    }
    const present = fields[index];
    if (present.type !== systemField.type) continue; // validation reports the clash
    fields[index] = {
      ...present,
      system: true,
      hidden: systemField.hidden,
      // Only fields that must hold a value stay required (a required bool would have to be true).
      ...('required' in systemField && systemField.required ? { required: true } : {}),
      ...(systemField.name === 'id' ? { primaryKey: true } : {}),
    } as Field;
  }
  return fields;
}

/** `idx_<field>_<collectionId>`, as PocketBase names the indexes it adds itself. */
const fieldIndexName = (collection: Collection, field: string) => `idx_${field}_${collection.id}`.slice(0, 64);

/** Auth collections need unique `tokenKey` and (non-empty) `email` indexes; add them when missing. */
export function ensureSystemIndexes(collection: Collection): string[] {
  if (collection.type !== 'auth') return collection.indexes;
  const indexes = [...collection.indexes];
  const mentions = (column: string) => findSingleColumnUniqueIndex(indexes, column) !== null;
  if (!mentions('tokenKey')) {
    indexes.push(
      `CREATE UNIQUE INDEX \`${fieldIndexName(collection, 'tokenKey')}\` ON \`${collection.name}\` (\`tokenKey\`)`,
    );
  }
  if (!mentions('email')) {
    indexes.push(
      `CREATE UNIQUE INDEX \`${fieldIndexName(collection, 'email')}\` ON \`${collection.name}\` (\`email\`) WHERE \`email\` != ''`,
    );
  }
  return indexes;
}
