import { type Collection, definitionOf } from '@hivebase/schema';

export interface RecordVisibility {
  /** Superusers see hidden fields. */
  showHidden: boolean;
  /** The owner, superusers and managers see an auth record's email whatever emailVisibility says. */
  showEmail: boolean;
}

/** Fields never sent, whoever asks. */
const NEVER_SENT = new Set(['password', 'tokenKey']);

/**
 * A stored row as PocketBase sends a record: its visible fields through each type's JSON form,
 * plus collectionId/collectionName, keys sorted as Go's map encoding sorts them.
 */
export function recordToJson(
  collection: Collection,
  row: Record<string, unknown>,
  visibility: RecordVisibility,
): Record<string, unknown> {
  const json: Record<string, unknown> = { collectionId: collection.id, collectionName: collection.name };
  for (const field of collection.fields) {
    if (collection.type === 'auth' && NEVER_SENT.has(field.name)) continue;
    if (field.type === 'password') continue;
    if (field.hidden && !visibility.showHidden) continue;
    json[field.name] = definitionOf(field).toJson(field as never, row[field.name]);
  }
  if (collection.type === 'auth' && !visibility.showEmail && row.emailVisibility !== true) delete json.email;
  return Object.fromEntries(Object.entries(json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
