import type { BaseCollection, Collection, CollectionLookup } from '../model/collection.model';
import type { Field } from '../model/field.model';

/** A base collection for tests: no rules, no indexes, the given fields, then `overrides`. */
export function makeCollection(fields: Field[], overrides: Partial<BaseCollection> = {}): BaseCollection {
  return {
    id: 'pbc_test',
    name: 'test_collection',
    type: 'base',
    system: false,
    fields,
    indexes: [],
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    created: '',
    updated: '',
    ...overrides,
  };
}

/** A lookup over a fixed list: by id, or by name case-insensitively. */
export function makeLookup(collections: readonly Collection[]): CollectionLookup {
  return {
    find: (idOrName) =>
      collections.find((c) => c.id === idOrName) ??
      collections.find((c) => c.name.toLowerCase() === idOrName.toLowerCase()),
    all: () => collections,
  };
}
