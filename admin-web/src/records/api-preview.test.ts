import { describe, expect, it } from 'vitest';
import { apiPreview, exampleRecord } from './api-preview';

const posts = {
  name: 'posts',
  type: 'base',
  listRule: '',
  createRule: null,
  fields: [
    { name: 'id', type: 'text', system: true },
    { name: 'title', type: 'text', required: true },
    { name: 'tags', type: 'select', values: ['a', 'b'], maxSelect: 2 },
    { name: 'secret', type: 'text', hidden: true },
    { name: 'created', type: 'autodate' },
  ],
};

describe('apiPreview', () => {
  it('shows records without hidden fields, with example values by type', () => {
    expect(exampleRecord(posts)).toEqual({
      collectionId: 'COLLECTION_ID',
      collectionName: 'posts',
      id: 'RECORD_ID',
      title: 'test',
      tags: ['a'],
      created: '2022-01-01 10:00:00.123Z',
    });
  });

  it('lists the CRUD routes with their rules and body parameters (no autodate in bodies)', () => {
    const actions = apiPreview(posts);
    expect(actions.map((a) => `${a.method} ${a.path}`)).toEqual([
      'GET /api/collections/posts/records',
      'GET /api/collections/posts/records/:id',
      'POST /api/collections/posts/records',
      'PATCH /api/collections/posts/records/:id',
      'DELETE /api/collections/posts/records/:id',
    ]);
    const create = actions.find((a) => a.id === 'create');
    expect(create?.rule).toBeNull();
    expect(create?.body.map((p) => `${p.name}:${p.type}`)).toEqual([
      'id:String',
      'title:String',
      'tags:Array<String>',
      'secret:String',
    ]);
  });

  it('adds the auth routes to auth collections and only reads for views', () => {
    expect(apiPreview({ ...posts, type: 'auth' }).map((a) => a.id)).toContain('auth-with-password');
    expect(apiPreview({ ...posts, type: 'view' }).map((a) => a.id)).toEqual(['list', 'view']);
  });
});
