import { useQuery } from '@tanstack/react-query';
import type { CollectionModel } from 'pocketbase';
import { pb } from '../pb';

export const COLLECTIONS_KEY = ['collections'] as const;

/** Every collection, by name: the sidebar, the editors and relation pickers share this one query. */
export const collectionsQuery = {
  queryKey: COLLECTIONS_KEY,
  queryFn: (): Promise<CollectionModel[]> => pb.collections.getFullList({ sort: 'name' }),
};

export function useCollections() {
  return useQuery(collectionsQuery);
}
