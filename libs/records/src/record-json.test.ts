import { makeField, normalizeCollection } from '@hivebase/schema';
import { describe, expect, it } from 'vitest';
import { recordToJson } from './record-json';

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
