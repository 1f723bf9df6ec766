import { type AuthCollection, definitionOf } from '@hivebase/schema';
import type { RecordRow } from '@hivebase/server';

/**
 * The signed-in record as auth responses carry it: visible fields (email included: the caller
 * is its owner) plus collectionId/collectionName, keys sorted as PocketBase's map output.
 * The records engine (Records issue) will own record serialisation; this covers auth replies.
 */
export function authRecordJson(collection: AuthCollection, row: RecordRow): Record<string, unknown> {
  const json: Record<string, unknown> = { collectionId: collection.id, collectionName: collection.name };
  for (const field of collection.fields) {
    if (field.hidden) continue;
    json[field.name] = definitionOf(field).toJson(field as never, row[field.name]);
  }
  return Object.fromEntries(Object.entries(json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
