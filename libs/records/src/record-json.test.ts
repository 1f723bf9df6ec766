import { type Collection, definitionOf, makeField, normalizeCollection } from '@hivebase/schema';
import { describe, expect, it } from 'vitest';
import { type RecordVisibility, recordToJson } from './record-json';

const users = normalizeCollection({
  name: 'members',
  type: 'auth',
  fields: [makeField('text', 'nickname'), makeField('text', 'note', { hidden: true }), makeField('number', 'score')],
}).collection;
const row = {
  id: 'abc123def456ghi',
  email: 'm@example.com',
  emailVisibility: false,
  verified: true,
  password: '$2a$10$hash',
  tokenKey: 'key',
  nickname: 'M',
  note: 'private',
  score: 3,
};

describe('recordToJson', () => {
  it('sends visible fields with collectionId/collectionName, keys sorted, never password or tokenKey', () => {
    const json = recordToJson(users, row, { showHidden: false, showEmail: false });
    expect(json).toEqual({
      collectionId: users.id,
      collectionName: 'members',
      emailVisibility: false,
      id: 'abc123def456ghi',
      nickname: 'M',
      score: 3,
      verified: true,
    });
    expect(Object.keys(json)).toEqual([...Object.keys(json)].sort());
  });

  it('shows hidden fields to superusers, but still never the password or tokenKey', () => {
    const json = recordToJson(users, row, { showHidden: true, showEmail: true });
    expect(json).toMatchObject({ note: 'private', email: 'm@example.com' });
    expect(json).not.toHaveProperty('password');
    expect(json).not.toHaveProperty('tokenKey');
  });

  it('shows the email when emailVisibility is on', () => {
    expect(recordToJson(users, { ...row, emailVisibility: true }, { showHidden: false, showEmail: false }).email).toBe(
      'm@example.com',
    );
  });
});

describe('recordToJson plans', () => {
  /** The per-row walk the cached plan replaced: the reference its output must equal, key order included. */
  const reference = (collection: Collection, stored: Record<string, unknown>, visibility: RecordVisibility) => {
    const json: Record<string, unknown> = { collectionId: collection.id, collectionName: collection.name };
    for (const field of collection.fields) {
      if (collection.type === 'auth' && (field.name === 'password' || field.name === 'tokenKey')) continue;
      if (field.type === 'password') continue;
      if (field.hidden && !visibility.showHidden) continue;
      json[field.name] = definitionOf(field).toJson(field as never, stored[field.name]);
    }
    if (collection.type === 'auth' && !visibility.showEmail && stored.emailVisibility !== true) delete json.email;
    return Object.fromEntries(Object.entries(json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  };
  const posts = normalizeCollection({
    name: 'posts',
    type: 'base',
    fields: [
      makeField('text', 'zeta'),
      makeField('number', 'Alpha'),
      makeField('bool', 'b_flag'),
      makeField('json', 'meta', { hidden: true }),
      makeField('select', 'tags', { values: ['a', 'b'], maxSelect: 2 }),
      makeField('date', 'when'),
      makeField('autodate', 'created', { onCreate: true }),
      makeField('text', '_under'),
      makeField('text', '2nd'),
    ],
  }).collection;

  it.each([
    ['members, guest', users, row, { showHidden: false, showEmail: false }],
    ['members, superuser', users, row, { showHidden: true, showEmail: true }],
    ['members, visible email', users, { ...row, emailVisibility: true }, { showHidden: false, showEmail: false }],
    ['members, owner', users, row, { showHidden: false, showEmail: true }],
    [
      'posts, guest',
      posts,
      { id: 'x', zeta: 'z', Alpha: 2, b_flag: true, meta: { a: 1 }, tags: ['a'] },
      {
        showHidden: false,
        showEmail: false,
      },
    ],
    [
      'posts, superuser, nulls',
      posts,
      { id: 'x', zeta: null, meta: null, tags: null, when: null },
      {
        showHidden: true,
        showEmail: false,
      },
    ],
  ] as const)('sends exactly what the per-row walk sent (%s)', (_, collection, stored, visibility) => {
    for (let i = 0; i < 3; i++) {
      const json = recordToJson(collection, stored, visibility);
      expect(JSON.stringify(json)).toBe(JSON.stringify(reference(collection, stored, visibility)));
    }
  });

  it('follows a reloaded schema (a new collection object), not the plan of the old one', () => {
    expect(recordToJson(posts, { id: 'x' }, { showHidden: false, showEmail: false })).not.toHaveProperty('extra');
    const reloaded = { ...posts, fields: [...posts.fields, makeField('text', 'extra')] };
    expect(recordToJson(reloaded, { id: 'x', extra: 'e' }, { showHidden: false, showEmail: false }).extra).toBe('e');
  });
});
