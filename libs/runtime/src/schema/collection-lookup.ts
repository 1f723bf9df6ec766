import type { Collection, CollectionLookup } from '@hivebase/schema';

/** A CollectionLookup over a fixed list (by id, or by name case-insensitively). */
export function lookupOf(collections: readonly Collection[]): CollectionLookup {
  const byId = new Map(collections.map((collection) => [collection.id, collection]));
  const byName = new Map(collections.map((collection) => [collection.name.toLowerCase(), collection]));
  return {
    find: (idOrName) => byId.get(idOrName) ?? byName.get(idOrName.toLowerCase()),
    all: () => collections,
  };
}
