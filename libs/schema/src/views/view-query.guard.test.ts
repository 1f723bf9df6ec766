import { describe, expect, it } from 'vitest';
import { ViewQueryError } from './view-query.errors';
import { normalizeViewQuery } from './view-query.guard';
import { createViewSql, dropViewSql } from './view-sql.builder';

describe('normalizeViewQuery', () => {
  it.each([
    ['select id from posts', 'select id from posts'],
    ['  SELECT id FROM posts ;  ', 'SELECT id FROM posts'],
    ['select id from posts;;\n ; ', 'select id from posts'],
    ['with x as (select id from posts) select id from x', 'with x as (select id from posts) select id from x'],
    ['(select id from a) union (select id from b)', '(select id from a) union (select id from b)'],
    ['-- note\nselect id from posts -- trailing', 'select id from posts'],
    ["select id, ';' as s from posts", "select id, ';' as s from posts"],
    ["select id, 'delete; drop' as s from posts", "select id, 'delete; drop' as s from posts"],
    ['select id, "update" from posts', 'select id, "update" from posts'],
    ["select id, E'it\\'s; delete' as s from posts", "select id, E'it\\'s; delete' as s from posts"],
    ['select id, $$; delete$$ as s, $t$;$t$ as t from posts', 'select id, $$; delete$$ as s, $t$;$t$ as t from posts'],
    ['select id /* ; /* nested ; */ delete */ from posts', 'select id /* ; /* nested ; */ delete */ from posts'],
    ["select 1 as id; -- ' trailing comment after the semicolon", 'select 1 as id'],
    ['select id, updated, deleted_at, a$1 from posts', 'select id, updated, deleted_at, a$1 from posts'],
  ])('accepts %j', (query, expected) => {
    expect(normalizeViewQuery(query)).toBe(expected);
  });

  it.each([
    ['', /empty/],
    [' ; ; ', /empty/],
    ['-- only a comment', /empty/],
    ['select 1 as id; select 2 as id', /multiple statements/],
    ['select 1 as id; drop table posts', /multiple statements/],
    ['delete from posts', /only SELECT/],
    ['drop table posts', /only SELECT/],
    ['explain select 1', /only SELECT/],
    ['values (1)', /only SELECT/],
    ['with x as (delete from posts returning id) select id from x', /data-modifying.*DELETE/],
    ['with x as (insert into posts (id) values (1) returning id) select id from x', /data-modifying.*INSERT/],
    ['with x as (update posts set title = 1 returning id) select id from x', /data-modifying.*UPDATE/],
    ['select id into newtable from posts', /INTO/],
    ['select id from posts for update', /UPDATE/],
    ['select id from posts where id = $1', /parameters/],
    ["select 'unterminated as id", /unterminated string/],
    ['select "unterminated as id', /unterminated quoted identifier/],
    ['select 1 as id /* open', /unterminated comment/],
    ['select $$ open as id', /unterminated dollar/],
    ['select 1 as id\0', /NUL/],
  ])('rejects %j', (query, message) => {
    let thrown: unknown;
    try {
      normalizeViewQuery(query);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ViewQueryError);
    expect((thrown as ViewQueryError).message).toMatch(message);
  });

  it('gives PocketBase-shaped field errors', () => {
    expect(new ViewQueryError('the query is empty').toFieldError()).toEqual({
      code: 'validation_invalid_view_query',
      message: 'Invalid query - the query is empty',
    });
  });
});

describe('createViewSql', () => {
  it('wraps the normalised query in a subquery under a quoted name', () => {
    expect(createViewSql('posts_view', 'select id from posts; -- x')).toBe(
      'CREATE VIEW "posts_view" AS SELECT * FROM (\nselect id from posts\n) AS "_hb_view"',
    );
    expect(createViewSql('we"ird', 'select 1 as id')).toBe(
      'CREATE VIEW "we""ird" AS SELECT * FROM (\nselect 1 as id\n) AS "_hb_view"',
    );
  });

  it('refuses queries the guard refuses, and impossible names', () => {
    expect(() => createViewSql('v', 'select 1 as id; drop table posts')).toThrow(ViewQueryError);
    expect(() => createViewSql('', 'select 1 as id')).toThrow(/Invalid view name/);
    expect(() => createViewSql('x'.repeat(64), 'select 1 as id')).toThrow(/Invalid view name/);
    expect(dropViewSql('posts_view')).toBe('DROP VIEW IF EXISTS "posts_view"');
  });
});
