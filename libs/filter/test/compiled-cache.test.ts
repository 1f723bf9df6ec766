import type { Collection, CollectionLookup } from '@hivebase/schema';
import { describe, expect, it } from 'vitest';
import { type CompileOptions, compileFilter, compileSort, FilterResolveError, parseFilter } from '../src';
import { readsOnlySchema } from '../src/sql/compiled-cache';
import { base, num, text } from '../src/testing';
import { joinLookup, requestOf } from './support/join-fixtures';

// Compiled SQL is kept per (lookup, collection object, options, text) when it reads only the
// schema; whatever reads the request or the clock compiles again each time.

const lookupOf = (collections: Collection[]): CollectionLookup => ({
  find: (idOrName) => collections.find((c) => c.id === idOrName || c.name === idOrName),
  all: () => collections,
});

const posts = (fields = [text('id'), text('title'), num('views')]) => base('c_posts', 'posts', fields);

describe('compiled filter and sort cache', () => {
  it('answers a repeated text with the same SQL and parameters the caller may change freely', () => {
    const lookup = lookupOf([posts()]);
    const options: CompileOptions = { lookup, collection: 'posts', paramOffset: 2 };
    const first = compileFilter('views > 500 && title = "a"', options);
    first.params.push('changed by the caller');
    const second = compileFilter('views > 500 && title = "a"', options);
    expect(second).toEqual({ sql: first.sql, params: first.params.slice(0, -1) });
    expect(second.sql).toContain('$3');
    // Another offset is another statement.
    expect(compileFilter('views > 500 && title = "a"', { ...options, paramOffset: 0 }).sql).toContain('$1');
    const sort = compileSort('-views,title', options);
    sort.params.push('x');
    expect(compileSort('-views,title', options)).toEqual({ sql: sort.sql, params: [] });
  });

  it('compiles against the new schema once the collection object changed (a schema reload)', () => {
    const before = lookupOf([posts()]);
    expect(compileFilter('title = "a"', { lookup: before, collection: 'posts' }).sql).toContain('"title"');
    // The reloaded schema: `title` is gone, and the same text must fail as it would uncached.
    const after = lookupOf([posts([text('id'), num('views')])]);
    expect(() => compileFilter('title = "a"', { lookup: after, collection: 'posts' })).toThrow(FilterResolveError);
    expect(() => compileSort('title', { lookup: after, collection: 'posts' })).toThrow(/title/);
  });

  it('compiles request values, macros and joined list rules again for every request', () => {
    const options = (viewer: 'u_a' | 'u_b'): CompileOptions => ({
      lookup: joinLookup,
      collection: 'notes',
      request: requestOf(viewer),
      allowHiddenFields: false,
      allowRequestAndCollectionRefs: true,
    });
    const own = (viewer: 'u_a' | 'u_b') => compileFilter('owner = @request.auth.id', options(viewer)).params;
    expect(own('u_a')).toEqual(['u_a']);
    expect(own('u_b')).toEqual(['u_b']);
    // No @request in the text, but the joined users' list rule reads the viewer.
    const joined = (viewer: 'u_a' | 'u_b') => compileFilter('owner.name != ""', options(viewer)).params;
    expect(joined('u_a')).toContain('u_a');
    expect(joined('u_b')).toContain('u_b');
    expect(joined('u_b')).not.toContain('u_a');
    const sorted = (viewer: 'u_a' | 'u_b') => compileSort('owner.name', options(viewer)).params;
    expect(sorted('u_a')).toContain('u_a');
    expect(sorted('u_b')).not.toContain('u_a');
  });

  it('tells texts that read only the schema from those that read the request or the clock', () => {
    expect(readsOnlySchema(parseFilter('views > 5 && (title ~ "a" || @collection.tags.name = "x")'))).toBe(true);
    expect(readsOnlySchema(parseFilter('views > 5 && @request.auth.id != ""'))).toBe(false);
    expect(readsOnlySchema(parseFilter('created > @now'))).toBe(false);
    expect(readsOnlySchema(parseFilter("strftime('%Y', created) = '2026'"))).toBe(false);
  });
});
