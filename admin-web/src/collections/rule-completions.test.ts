import { describe, expect, it } from 'vitest';
import { ruleCompletions } from './rule-completions';

const users = {
  id: 'u1',
  name: 'users',
  type: 'auth',
  fields: [
    { name: 'id', type: 'text' },
    { name: 'password', type: 'password' },
    { name: 'role', type: 'select' },
  ],
};
const posts = {
  id: 'p1',
  name: 'posts',
  type: 'base',
  fields: [
    { name: 'title', type: 'text' },
    { name: 'author', type: 'relation', collectionId: 'u1' },
  ],
};

describe('ruleCompletions', () => {
  const names = ruleCompletions(posts, [users, posts]);

  it('offers own fields, relation fields one level deep and body fields with modifiers', () => {
    expect(names).toEqual(
      expect.arrayContaining(['title', 'author', 'author.role', '@request.body.title', '@request.body.author:isset']),
    );
  });

  it('offers the auth fields of auth collections (never passwords), other collections and macros', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        '@request.auth.id',
        '@request.auth.role',
        '@collection.users.role',
        '@now',
        '@todayStart',
      ]),
    );
    expect(names).not.toContain('@request.auth.password');
  });
});
