import { describe, expect, it } from 'vitest';
import { type CollectionJson, diffCollections } from './collections-diff';

const posts: CollectionJson = {
  id: 'c1',
  name: 'posts',
  type: 'base',
  listRule: null,
  created: '2024-01-01',
  fields: [
    { id: 'f1', name: 'title', type: 'text', max: 0 },
    { id: 'f2', name: 'body', type: 'editor' },
  ],
};
const system: CollectionJson = { id: 's1', name: '_superusers', system: true, fields: [] };

describe('diffCollections', () => {
  it('finds nothing to do in an identical import (timestamps aside)', () => {
    expect(diffCollections([posts, system], [{ ...posts, created: 'other' }], false)).toEqual([]);
  });

  it('lists new collections, field additions, renames by id, deletions and property changes', () => {
    const changed: CollectionJson = {
      ...posts,
      listRule: '',
      fields: [
        { id: 'f1', name: 'headline', type: 'text', max: 0 },
        { name: 'views', type: 'number' },
      ],
    };
    expect(diffCollections([posts], [changed, { name: 'notes', fields: [] }], false)).toEqual([
      {
        kind: 'update',
        name: 'posts',
        details: [
          'rename field "title" to "headline"',
          'add field "views" (number)',
          'delete field "body" and its data',
          'change listRule',
        ],
      },
      { kind: 'create', name: 'notes' },
    ]);
  });

  it('deletes missing collections only when asked, and never system ones', () => {
    expect(diffCollections([posts, system], [], false)).toEqual([]);
    expect(diffCollections([posts, system], [], true)).toEqual([{ kind: 'delete', name: 'posts' }]);
  });
});
