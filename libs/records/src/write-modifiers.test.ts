import { makeField, normalizeCollection } from '@hivebase/schema';
import { describe, expect, it } from 'vitest';
import { parseModifierKey, resolveModifiers } from './write-modifiers';

const posts = normalizeCollection({
  name: 'posts',
  fields: [
    makeField('text', 'title'),
    makeField('text', 'slug', { autogeneratePattern: '[a-z]{5}' }),
    makeField('text', 'code'),
    makeField('number', 'views'),
    makeField('select', 'tags', { values: ['a', 'b', 'c', 'd'], maxSelect: 4 }),
    makeField('select', 'status', { values: ['draft', 'live'], maxSelect: 1 }),
    makeField('file', 'docs', { maxSelect: 3 }),
    makeField('number', 'score', { hidden: true }),
  ],
}).collection;

const STORED = { id: 'p1', title: 't', views: 10, tags: ['a', 'b'], status: 'draft', docs: ['old.txt'], score: 1 };
const resolve = (input: Record<string, unknown>, isNew = false) =>
  resolveModifiers(posts, input, isNew ? null : STORED);

describe('parseModifierKey', () => {
  it.each([
    ['tags', 'tags', null],
    ['tags+', 'tags', 'append'],
    ['+tags', 'tags', 'prepend'],
    ['tags-', 'tags', 'remove'],
    ['views+', 'views', 'add'],
    ['views-', 'views', 'subtract'],
    ['slug:autogenerate', 'slug', 'autogenerate'],
  ])('%s → %s %s', (key, field, modifier) => {
    expect(parseModifierKey(posts, key)).toMatchObject({ field: { name: field }, modifier });
  });

  it.each(['+views', 'title+', 'title-', 'views:autogenerate', 'tags:autogenerate', 'nope+', '+tags+', 'tags--'])(
    'ignores %s, as PocketBase does keys no setter knows',
    (key) => {
      expect(parseModifierKey(posts, key)).toBeUndefined();
    },
  );
});

describe('resolveModifiers', () => {
  it('applies modifiers to the empty value on create', () => {
    const { body } = resolve(
      { 'views+': 3, 'views-': '1', 'tags+': ['b', 'a'], '+tags': 'c', 'status+': 'live' },
      true,
    );
    expect(body).toEqual({ views: 2, tags: ['c', 'b', 'a'], status: 'live' });
  });

  it('applies the plain value first, then the modifiers, whatever the body order', () => {
    const { body } = resolve({ 'views+': 2, 'tags-': 'a', views: 5, tags: ['a', 'c'] });
    expect(body).toEqual({ views: 7, tags: ['c'] });
  });

  it('applies modifiers to the stored values on update, so the body holds each final value', () => {
    const { body } = resolve({ 'views+': 2, 'views-': 0.5, '+tags': ['c'], 'tags-': 'b', title: 'x' });
    expect(body).toEqual({ title: 'x', views: 11.5, tags: ['c', 'a'] });
    // `status-` of the stored value clears it; an unrelated stored field stays out of the body.
    expect(resolve({ 'status-': 'draft' }).body).toEqual({ status: '' });
  });

  it('follows PocketBase on single-value fields: `+` sets, `-` clears when equal, prepend keeps a value', () => {
    expect(resolve({ status: 'draft', 'status+': 'live' }).body).toEqual({ status: 'live' });
    expect(resolve({ status: 'draft', 'status-': 'draft' }).body).toEqual({ status: '' });
    expect(resolve({ status: 'draft', 'status-': 'live' }).body).toEqual({ status: 'draft' });
    expect(resolve({ status: 'draft', '+status': 'live' }).body).toEqual({ status: 'draft' });
    expect(resolve({ '+status': 'live' }, true).body).toEqual({ status: 'live' });
  });

  it('generates `:autogenerate` values from the field pattern after the prefix', () => {
    expect(resolve({ 'slug:autogenerate': 'post-' }).body.slug).toMatch(/^post-[a-z]{5}$/);
    expect(resolve({ 'code:autogenerate': 'fixed' }).body.code).toBe('fixed');
  });

  it('resolves file modifiers to a list of names, resolves modifiers on any field, keeps other keys', () => {
    const { body, errors } = resolve({
      'docs+': 'a.txt',
      '+docs': 'b.txt',
      'score+': 5,
      'title+': 'x',
      extra: 1,
    });
    expect(errors).toEqual({});
    expect(body).toEqual({ 'title+': 'x', extra: 1, score: 6, docs: ['b.txt', 'old.txt', 'a.txt'] });
  });

  it('removes file names with `docs-` and keeps the rest in order', () => {
    expect(resolve({ 'docs-': ['old.txt'], 'docs+': 'n.txt' }).body.docs).toEqual(['n.txt']);
  });
});
