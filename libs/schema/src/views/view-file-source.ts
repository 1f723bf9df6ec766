import type { AuthCollection, BaseCollection, CollectionLookup, ViewCollection } from '../model/collection.model';
import type { FileField } from '../model/field.model';
import type { ViewColumnOrigin } from './view-fields.infer';

/**
 * How many views deep a file field is followed to its source (PocketBase's limit: the view asked
 * for and up to four views under it), which also stops a cycle.
 */
export const MAX_VIEW_FILE_DEPTH = 5;

/** The collection and file field a view's file field is read from. */
export interface ViewFileSource {
  collection: BaseCollection | AuthCollection;
  field: FileField;
}

/** The origins of a view's result columns by name (`viewColumnOrigins` of its query, cached or not). */
export type ViewOriginsReader = (view: ViewCollection) => Promise<ReadonlyMap<string, ViewColumnOrigin>>;

/**
 * Follows a view collection's field back through its query (and the queries of the views it
 * reads from) to the base or auth collection's file field it is a plain column of, as
 * PocketBase's `FindRecordByViewFile`. `null` when the column is computed, comes from a table
 * that is no collection, is no file field there, or sits deeper than `MAX_VIEW_FILE_DEPTH` views.
 */
export async function findViewFileSource(
  lookup: CollectionLookup,
  view: ViewCollection,
  fieldName: string,
  originsOf: ViewOriginsReader,
): Promise<ViewFileSource | null> {
  let current = view;
  let name = fieldName;
  for (let depth = 1; depth <= MAX_VIEW_FILE_DEPTH; depth++) {
    const origin = (await originsOf(current)).get(name);
    if (!origin) return null;
    const source = lookup.find(origin.tableName);
    // Tables are named exactly like their collection; `find` also matches ids, which must not count.
    if (!source || source.name !== origin.tableName) return null;
    if (source.type === 'view') {
      current = source;
      name = origin.columnName;
      continue;
    }
    const field = source.fields.find((candidate) => candidate.name === origin.columnName);
    return field?.type === 'file' ? { collection: source, field } : null;
  }
  return null;
}
