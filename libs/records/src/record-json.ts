import { type Collection, definitionOf, type Field } from '@hivebase/schema';

export interface RecordVisibility {
  /** Superusers see hidden fields. */
  showHidden: boolean;
  /** The owner, superusers and managers see an auth record's email whatever emailVisibility says. */
  showEmail: boolean;
}

/** Fields never sent, whoever asks. */
const NEVER_SENT = new Set(['password', 'tokenKey']);

/** One key of a record's JSON, in output order: a field (through its type's JSON form) or a constant. */
type JsonKey =
  | { key: string; field: Field; toJson: (stored: unknown) => unknown; isEmail: boolean }
  | { key: string; field: null; value: string };

/** A collection's JSON keys, sorted, for callers who may (index 1) or may not (0) see hidden fields. */
type JsonPlans = [JsonKey[] | undefined, JsonKey[] | undefined];

// Keyed by the collection object: a schema reload makes new objects, so a plan never outlives its schema.
const plans = new WeakMap<Collection, JsonPlans>();

const byKey = (a: JsonKey, b: JsonKey) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The keys a record of `collection` may send, sorted as Go's map encoding sorts them. */
function planOf(collection: Collection, showHidden: boolean): JsonKey[] {
  let cached = plans.get(collection);
  if (!cached) {
    cached = [undefined, undefined];
    plans.set(collection, cached);
  }
  const slot = showHidden ? 1 : 0;
  const existing = cached[slot];
  if (existing) return existing;
  const keys: JsonKey[] = [
    { key: 'collectionId', field: null, value: collection.id },
    { key: 'collectionName', field: null, value: collection.name },
  ];
  const isAuth = collection.type === 'auth';
  for (const field of collection.fields) {
    if (isAuth && NEVER_SENT.has(field.name)) continue;
    if (field.type === 'password') continue;
    if (field.hidden && !showHidden) continue;
    const definition = definitionOf(field);
    keys.push({
      key: field.name,
      field,
      toJson: (stored) => definition.toJson(field as never, stored),
      isEmail: isAuth && field.name === 'email',
    });
  }
  // A field named like a constant key would overwrite it (as assigning over it did): keep the last.
  const unique = [...new Map(keys.map((entry) => [entry.key, entry])).values()];
  const plan = unique.sort(byKey);
  cached[slot] = plan;
  return plan;
}

/**
 * A stored row as PocketBase sends a record: its visible fields through each type's JSON form,
 * plus collectionId/collectionName, keys sorted as Go's map encoding sorts them. The sorted key
 * plan is computed once per collection object and visibility, so a page is one loop per row.
 */
export function recordToJson(
  collection: Collection,
  row: Record<string, unknown>,
  visibility: RecordVisibility,
): Record<string, unknown> {
  const plan = planOf(collection, visibility.showHidden);
  const hideEmail = !visibility.showEmail && row.emailVisibility !== true;
  const json: Record<string, unknown> = {};
  for (const entry of plan) {
    if (entry.field === null) json[entry.key] = entry.value;
    else if (!(entry.isEmail && hideEmail)) json[entry.key] = entry.toJson(row[entry.key]);
  }
  return json;
}
