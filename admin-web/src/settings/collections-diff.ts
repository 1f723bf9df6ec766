/** A collection as exported and imported: the API's JSON. */
export interface CollectionJson {
  id?: string;
  name: string;
  type?: string;
  system?: boolean;
  fields?: { id?: string; name: string; type?: string; [key: string]: unknown }[];
  [key: string]: unknown;
}

export type CollectionChange =
  | { kind: 'create'; name: string }
  | { kind: 'delete'; name: string }
  | { kind: 'update'; name: string; details: string[] };

const stable = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );

// Bookkeeping the server sets itself: a difference there is no change to review.
const IGNORED = new Set(['created', 'updated', 'fields']);

function fieldChanges(before: CollectionJson, after: CollectionJson): string[] {
  const details: string[] = [];
  const old = before.fields ?? [];
  const next = after.fields ?? [];
  const match = (field: { id?: string; name: string }, list: typeof old) =>
    list.find((candidate) => (field.id && candidate.id === field.id) || candidate.name === field.name);
  for (const field of next) {
    const previous = match(field, old);
    if (!previous) details.push(`add field "${field.name}" (${field.type ?? '?'})`);
    else if (previous.name !== field.name) details.push(`rename field "${previous.name}" to "${field.name}"`);
    else if (stable(previous) !== stable({ ...previous, ...field })) details.push(`change field "${field.name}"`);
  }
  for (const field of old) {
    if (!match(field, next)) details.push(`delete field "${field.name}" and its data`);
  }
  return details;
}

/**
 * What importing `imported` over `current` would do, collection by collection (matched by id,
 * else by name): created, updated (with the field and property changes) or, when
 * `deleteMissing`, deleted. System collections are never deleted by an import.
 */
export function diffCollections(
  current: CollectionJson[],
  imported: CollectionJson[],
  deleteMissing: boolean,
): CollectionChange[] {
  const changes: CollectionChange[] = [];
  const find = (c: CollectionJson, list: CollectionJson[]) =>
    list.find((candidate) => (c.id && candidate.id === c.id) || candidate.name === c.name);
  for (const collection of imported) {
    const existing = find(collection, current);
    if (!existing) {
      changes.push({ kind: 'create', name: collection.name });
      continue;
    }
    const details = fieldChanges(existing, collection);
    if (existing.name !== collection.name)
      details.unshift(`rename collection "${existing.name}" to "${collection.name}"`);
    for (const key of Object.keys(collection)) {
      if (IGNORED.has(key) || key === 'name') continue;
      if (stable(existing[key]) !== stable(collection[key])) details.push(`change ${key}`);
    }
    if (details.length > 0) changes.push({ kind: 'update', name: collection.name, details });
  }
  if (deleteMissing) {
    for (const collection of current) {
      if (!collection.system && !find(collection, imported)) changes.push({ kind: 'delete', name: collection.name });
    }
  }
  return changes;
}
