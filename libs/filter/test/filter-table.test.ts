import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CompileOptions,
  compileFilter,
  compileSort,
  evaluateFilter,
  FilterForbiddenFieldError,
  FilterResolveError,
  type RequestContext,
} from '../src';
import { createFixtureDatabase, lookup, matchingIds, posts } from '../src/testing/fixtures';
import { AUTH_REQUEST, GUEST_REQUEST, NOW, POST_IDS, postRecord } from './support/context';

interface Case {
  filter: string;
  ids: string[];
  /** Exact SQL and params, for a representative subset. */
  sql?: string;
  params?: unknown[];
  request?: RequestContext | null;
  allowHiddenFields?: boolean;
  /** The in-memory evaluator must answer 'unknown' (relations, @collection). */
  unknown?: boolean;
}

const ALL = POST_IDS;
const CASES: Case[] = [
  // plain text, the '' / NULL equivalence, LIKE wrapping and escaping
  { filter: 'title = "Hello World"', ids: ['p1'], sql: '"posts"."title" = $1::text', params: ['Hello World'] },
  { filter: "title != 'Hello World'", ids: ['p2', 'p3', 'p4', 'p5'], sql: '"posts"."title" <> $1::text' },
  { filter: 'title = ""', ids: ['p5'] },
  { filter: 'title = null', ids: ['p5'], sql: `"posts"."title" = ''`, params: [] },
  { filter: 'title != null', ids: ['p1', 'p2', 'p3', 'p4'] },
  {
    filter: 'title ~ "hello"',
    ids: ['p1'],
    sql: `("posts"."title") COLLATE "C" ILIKE $1::text ESCAPE '\\'`,
    params: ['%hello%'],
  },
  { filter: 'title ~ "%sure%"', ids: ['p3'], params: ['%sure%'] },
  { filter: 'title ~ "100%"', ids: ['p3'], params: ['100%'] },
  { filter: 'title ~ "_"', ids: ['p3'], params: ['%\\_%'] },
  { filter: 'title !~ "o"', ids: ['p3', 'p5'], sql: `("posts"."title") COLLATE "C" NOT ILIKE $1::text ESCAPE '\\'` },
  { filter: 'title ~ "\\\\ back"', ids: ['p4'], params: ['%\\\\ back%'] },
  { filter: `title = 'O\\'Brien "quoted" \\ back'`, ids: ['p4'] },
  { filter: 'title:lower = "hello world"', ids: ['p1'], sql: 'LOWER("posts"."title") = $1::text' },
  { filter: 'title = 5', ids: [], params: ['5.0'] },
  { filter: '"abc" ~ "b"', ids: ALL },
  { filter: 'null = null', ids: ALL, sql: 'TRUE' },
  { filter: 'null != null', ids: [] },
  // numbers and SQLite's affinity rules
  { filter: 'views > 5', ids: ['p1', 'p3'], sql: '"posts"."views" > $1::double precision', params: [5] },
  { filter: 'views >= 5', ids: ['p1', 'p3', 'p5'] },
  { filter: 'views < 0', ids: ['p4'] },
  { filter: 'views = -3', ids: ['p4'] },
  { filter: 'views = 250.5', ids: ['p3'] },
  { filter: 'views ?> 5', ids: ['p1', 'p3'] },
  { filter: 'views = "10"', ids: ['p1'], params: [10] },
  { filter: 'views > "abc"', ids: [] },
  { filter: 'views < "abc"', ids: ALL },
  { filter: 'views = ""', ids: [] },
  { filter: 'views != ""', ids: ALL },
  { filter: 'views ~ 5', ids: ['p3', 'p5'] },
  // booleans
  { filter: 'published = true', ids: ['p1', 'p3', 'p5'], sql: '"posts"."published" = TRUE', params: [] },
  { filter: 'published = false', ids: ['p2', 'p4'] },
  { filter: 'published != true', ids: ['p2', 'p4'], sql: '"posts"."published" <> TRUE' },
  { filter: 'published = 1', ids: ['p1', 'p3', 'p5'] },
  { filter: 'published = "1"', ids: ['p1', 'p3', 'p5'] },
  // single relations
  { filter: 'author = "u1"', ids: ['p1', 'p5'] },
  { filter: 'author = ""', ids: ['p3'] },
  { filter: 'author.id = "u1"', ids: ['p1', 'p5'], sql: '"posts"."author" = $1::text' },
  {
    filter: 'author.name = "Ann"',
    ids: ['p1', 'p5'],
    sql: 'EXISTS (SELECT 1 FROM (SELECT 1) AS "__hb_root" LEFT JOIN "users" AS "__hb_j1" ON "__hb_j1"."id" = "posts"."author" WHERE COALESCE("__hb_j1"."name", \'\') = $1::text)',
    unknown: true,
  },
  { filter: 'author.name = ""', ids: ['p3', 'p4'], unknown: true },
  { filter: 'author.role = "admin" && author.age > 40', ids: ['p1', 'p5'], unknown: true },
  { filter: 'author.verified = true', ids: ['p1', 'p5'], unknown: true },
  // multiple relations: plain operators mean every item, ?-forms at least one
  { filter: 'tags.name ?= "go"', ids: ['p1', 'p4'], unknown: true },
  {
    filter: 'tags.name = "go"',
    ids: [],
    sql: 'EXISTS (SELECT 1 FROM (SELECT 1) AS "__hb_root" LEFT JOIN "tags" AS "__hb_j1" ON "__hb_j1"."id" = ANY("posts"."tags") WHERE (COALESCE("__hb_j1"."name", \'\') = $1::text AND NOT EXISTS (SELECT 1 FROM (SELECT "__hb_m2"."name" AS "v" FROM (SELECT 1) AS "__hb_r3" LEFT JOIN "tags" AS "__hb_m2" ON "__hb_m2"."id" = ANY("posts"."tags")) AS "__hb_s4" WHERE NOT (COALESCE("__hb_s4"."v", \'\') = $1::text))))',
    params: ['go'],
    unknown: true,
  },
  { filter: 'tags.weight > 0', ids: ['p1', 'p2', 'p4', 'p5'], unknown: true },
  { filter: 'tags.weight ?> 4', ids: ['p1', 'p2', 'p4', 'p5'], unknown: true },
  { filter: 'tags.weight > 4', ids: ['p2', 'p5'], unknown: true },
  { filter: 'tags.name ?~ "o"', ids: ['p1', 'p2', 'p4'], unknown: true },
  { filter: 'tags.name !~ "o"', ids: ['p5'], unknown: true },
  { filter: 'tags:length = 0', ids: ['p3'] },
  { filter: 'tags:length = 3', ids: ['p4'] },
  // back-relations
  { filter: 'comments_via_post.message ?= "nice"', ids: ['p1'], unknown: true },
  { filter: 'comments_via_post.message = "nice"', ids: [], unknown: true },
  { filter: 'comments_via_post.author.name ?= "Bob"', ids: ['p1'], unknown: true },
  { filter: 'comments_via_post.id = ""', ids: ['p3', 'p4', 'p5'], unknown: true },
  // one path is one joined row, as in PocketBase
  { filter: 'comments_via_post.message ?= "nice" && comments_via_post.message ?= "great"', ids: [], unknown: true },
  // multi-value fields
  {
    filter: 'labels ~ "a"',
    ids: ['p1', 'p4'],
    sql: `(array_to_json("posts"."labels")::text) COLLATE "C" ILIKE $1::text ESCAPE '\\'`,
  },
  { filter: 'labels = "[]"', ids: ['p2'] },
  { filter: 'labels:each ?= "c"', ids: ['p3', 'p4'] },
  { filter: 'labels:each = "c"', ids: ['p3'] },
  { filter: 'labels:each != "a"', ids: ['p2', 'p3', 'p5'] },
  { filter: 'labels:each ?= "a" && labels:each ?= "b"', ids: [] },
  {
    filter: 'labels:length > 1',
    ids: ['p1', 'p4'],
    sql: 'COALESCE(cardinality("posts"."labels"), 0) > $1::double precision',
  },
  { filter: 'attachments:length = 2', ids: ['p3'] },
  { filter: 'status = "published"', ids: ['p1', 'p5'] },
  { filter: 'status:each = "draft"', ids: ['p2'] },
  { filter: 'status:length = 0', ids: ['p3'] },
  // json and geoPoint
  { filter: 'meta.a.b = 1', ids: ['p1'] },
  { filter: 'meta.n = 5', ids: ['p1'] },
  { filter: 'meta.n = "5"', ids: ['p3'] },
  { filter: 'meta.n > 5', ids: ['p3', 'p5'] },
  { filter: 'meta.s ~ "x"', ids: ['p1'] },
  { filter: 'meta = null', ids: ['p2'] },
  { filter: 'meta.zzz = null', ids: ALL },
  { filter: 'meta.flag = true', ids: ['p3'] },
  { filter: 'meta = "plain"', ids: ['p4'] },
  { filter: 'meta.list.0 = 1', ids: ['p1'] },
  { filter: 'meta.a.b != 1', ids: ['p2', 'p3', 'p4', 'p5'] },
  { filter: 'meta.n < views', ids: ['p1', 'p3'] },
  {
    filter: 'location.lat > 50',
    ids: ['p1', 'p4'],
    sql: `("posts"."location" ->> 'lat')::double precision > $1::double precision`,
  },
  { filter: 'geoDistance(location.lon, location.lat, 13.4, 52.5) < 5', ids: ['p1', 'p4'] },
  { filter: 'geoDistance(location.lon, location.lat, location.lon, location.lat) < 0.001', ids: ALL },
  // dates, macros, strftime
  { filter: 'publishedAt > "2024-01-01"', ids: ['p1', 'p4', 'p5'] },
  { filter: 'publishedAt >= @todayStart && publishedAt <= @todayEnd', ids: ['p1'] },
  { filter: 'publishedAt < @now && publishedAt != ""', ids: ['p1', 'p3', 'p5'] },
  { filter: 'publishedAt >= @monthStart', ids: ['p1', 'p4'] },
  { filter: 'publishedAt > @yesterday && publishedAt < @tomorrow', ids: ['p1', 'p4'] },
  { filter: '@month = 3 && @weekday = 5 && @year = 2024 && @day = 1 && @hour = 12', ids: ALL },
  { filter: 'publishedAt < @yearStart || publishedAt > @yearEnd', ids: ['p2', 'p3'] },
  { filter: 'strftime("%Y-%m", publishedAt) = "2024-03"', ids: ['p1', 'p4'] },
  { filter: 'strftime("%Y", publishedAt, "+1 day") = "2024"', ids: ['p1', 'p3', 'p4', 'p5'] },
  { filter: 'strftime("%d", publishedAt, "start of month") = "01"', ids: ['p1', 'p3', 'p4', 'p5'] },
  { filter: 'strftime("%Y-%m-%d %H:%M:%f", publishedAt) = "2024-03-01 10:00:00.000"', ids: ['p1'] },
  { filter: 'strftime("%j", publishedAt) = "061"', ids: ['p1'] },
  // @request
  {
    filter: '@request.auth.id = author',
    ids: ['p1', 'p5'],
    sql: '$1::text = "posts"."author"',
    params: ['u1'],
  },
  { filter: '@request.auth.id != ""', ids: ALL },
  { filter: '@request.auth.id = ""', ids: ALL, request: GUEST_REQUEST, sql: `$1::text = ''`, params: [''] },
  { filter: '@request.auth.id != ""', ids: [], request: GUEST_REQUEST },
  { filter: '@request.auth.role = "admin" && published = true', ids: ['p1', 'p3', 'p5'] },
  { filter: '@request.auth.role = "admin"', ids: [], request: GUEST_REQUEST },
  { filter: '@request.auth.email = "ann@x.io"', ids: ALL },
  { filter: '@request.headers.x_token = "abc"', ids: ALL },
  { filter: '@request.query.page = 2', ids: [] },
  { filter: '@request.query.page = "2"', ids: ALL },
  { filter: '@request.query.missing = null && @request.query.missing:isset = false', ids: ALL },
  { filter: '@request.method = "GET" && @request.context = "default"', ids: ALL },
  { filter: '@request.body.title = title', ids: ['p1'] },
  { filter: '@request.body.views = views', ids: ['p1'] },
  { filter: '@request.body.labels:each ?= "c"', ids: ALL },
  { filter: '@request.body.labels:each = "c"', ids: [] },
  { filter: '@request.body.labels:length = 2', ids: ALL },
  { filter: '@request.body.title:changed = false', ids: ['p1'] },
  { filter: '@request.body.title:lower = "hello world"', ids: ALL },
  { filter: '@request.body.nope:isset = false && @request.body.title:isset = true', ids: ALL },
  { filter: '@request.body.tags.name ?= "go"', ids: ALL, unknown: true },
  // @collection
  { filter: '@collection.tags.weight ?> 5 && views > 5', ids: ['p1', 'p3'], unknown: true },
  { filter: '@collection.comments.post ?= id && @collection.comments.message ?= "meh"', ids: ['p2'], unknown: true },
  {
    filter: '@collection.comments:a.post ?= id && @collection.comments:b.message ?= "meh"',
    ids: ['p1', 'p2'],
    unknown: true,
  },
  { filter: '@collection.users.age > 10', ids: [], unknown: true },
  // logic, precedence, comments
  { filter: '(views > 5 || title = "") && published = true', ids: ['p1', 'p3', 'p5'] },
  { filter: 'views > 5 || title = "" && published = false', ids: ['p1', 'p3'] },
  { filter: '// a comment\nviews > 5 // another\n && published = true', ids: ['p1', 'p3'] },
  // hidden fields and visibility rules (client filters of non-superusers)
  { filter: 'secret = "s1"', ids: ['p1'] },
  { filter: 'author.email ~ "x.io"', ids: ['p1', 'p4', 'p5'], allowHiddenFields: false, unknown: true },
  { filter: 'title ~ "o"', ids: ['p1', 'p2', 'p4'], allowHiddenFields: false },
];

let db: { client: pg.Client; drop: () => Promise<void> };
beforeAll(async () => {
  db = await createFixtureDatabase();
});
afterAll(async () => {
  await db?.drop();
});

function options(c: Case): CompileOptions {
  return {
    lookup,
    collection: 'posts',
    request: c.request === undefined ? AUTH_REQUEST : c.request,
    allowHiddenFields: c.allowHiddenFields ?? true,
    now: NOW,
  };
}

describe('filter table', () => {
  it.each(CASES)('$filter', async (c) => {
    const compiled = compileFilter(c.filter, options(c));
    if (c.sql !== undefined) expect(compiled.sql).toBe(c.sql);
    if (c.params !== undefined) expect(compiled.params).toEqual(c.params);
    expect(await matchingIds(db.client, 'posts', compiled.sql, compiled.params)).toEqual(c.ids);

    // the in-memory evaluator gives the same answer for every row, or says it cannot
    const answers = POST_IDS.map((id) =>
      evaluateFilter(c.filter, {
        collection: posts,
        lookup,
        record: postRecord(id),
        request: options(c).request,
        allowHiddenFields: options(c).allowHiddenFields,
        now: NOW,
      }),
    );
    if (c.unknown) expect(answers).toEqual(POST_IDS.map(() => 'unknown'));
    else expect(POST_IDS.filter((_, i) => answers[i] === true)).toEqual(c.ids);
  });
});

describe('stored values at the edges', () => {
  it('reads json numbers beyond double precision without a database error', async () => {
    await db.client.query('BEGIN');
    try {
      await db.client.query(`INSERT INTO "posts" ("id", "meta") VALUES ('p6', '{"n": 1e400, "t": 1e-400}')`);
      for (const [filter, ids] of [
        ['meta.n > 5', ['p3', 'p5', 'p6']],
        ['meta.t = 0 && meta.n = meta.n', ['p6']],
        ['geoDistance(meta.n, 0, 0, 0) > 0', ['p1', 'p3', 'p5']],
      ] as const) {
        const { sql, params } = compileFilter(filter, { lookup, collection: posts, allowHiddenFields: true });
        expect(await matchingIds(db.client, 'posts', sql, params)).toEqual(ids);
      }
    } finally {
      await db.client.query('ROLLBACK');
    }
  });
});

describe('compile options', () => {
  it('numbers placeholders from an offset and uses the given table alias', () => {
    const compiled = compileFilter('title = "a" && views > 2', {
      lookup,
      collection: posts,
      baseAlias: 'p',
      paramOffset: 2,
    });
    expect(compiled.sql).toBe('("p"."title" = $3::text AND "p"."views" > $4::double precision)');
    expect(compiled.params).toEqual(['a', 2]);
  });

  it('adds the list rule of a joined collection for non-superusers', () => {
    const compiled = compileFilter('author.name = "Ann"', { lookup, collection: posts, allowHiddenFields: false });
    // users' list rule is `id != ""`, in the joined row's ON clause: a hidden user is no row at all
    expect(compiled.sql).toBe(
      'EXISTS (SELECT 1 FROM (SELECT 1) AS "__hb_root" LEFT JOIN "users" AS "__hb_j1" ON "__hb_j1"."id" = "posts"."author" AND ("__hb_j1"."id" <> $1::text) WHERE COALESCE("__hb_j1"."name", \'\') = $2::text)',
    );
  });

  it.each([
    ['nope = 1', FilterResolveError],
    ['author.nope = 1', FilterResolveError],
    ['title.name = 1', FilterResolveError],
    ['title:each = 1', FilterResolveError],
    ['title:isset = true', FilterResolveError],
    ['@request.nope = 1', FilterResolveError],
    ['@collection.nope.id = 1', FilterResolveError],
    ['@collection.tags = 1', FilterResolveError],
    ['nope_via_post.id = 1', FilterResolveError],
    ['comments_via_message.id = 1', FilterResolveError],
    ['location.alt = 1', FilterResolveError],
    ['title:upper = 1', FilterResolveError],
    ['strftime("%s", publishedAt) = 1', FilterResolveError],
    ['strftime("%Y", publishedAt, "+1 fortnight") = 1', FilterResolveError],
    ['geoDistance(1, 2, 3) = 1', FilterResolveError],
    ['author.author.author.author.author.author.author.id = 1', FilterResolveError],
  ])('rejects %s', (filter, error) => {
    expect(() => compileFilter(filter, { lookup, collection: posts, allowHiddenFields: true })).toThrow(error);
    expect(() =>
      evaluateFilter(filter, { collection: posts, lookup, record: postRecord('p1'), allowHiddenFields: true }),
    ).toThrow(error);
  });

  it.each([['secret = "x"'], ['vault.code = "zzz"'], ['@request.auth.password = ""']])(
    'refuses %s in a non-superuser filter but allows it in a rule',
    (filter) => {
      const base = { lookup, collection: posts, request: AUTH_REQUEST };
      expect(() => compileFilter(filter, { ...base, allowHiddenFields: false })).toThrow(FilterForbiddenFieldError);
      expect(() => compileFilter(filter, { ...base, allowHiddenFields: true })).not.toThrow();
    },
  );

  it('refuses @request and @collection where they are not allowed', () => {
    const base = { lookup, collection: posts, allowRequestAndCollectionRefs: false };
    expect(() => compileFilter('@request.method = "GET"', base)).toThrow(FilterForbiddenFieldError);
    expect(() => compileFilter('@collection.tags.id ?= "t1"', base)).toThrow(FilterForbiddenFieldError);
  });
});

describe('sort', () => {
  const sortIds = async (sort: string, allowHiddenFields = true) => {
    const compiled = compileSort(sort, { lookup, collection: posts, allowHiddenFields });
    const result = await db.client.query<{ id: string }>(
      `SELECT "posts"."id" FROM "posts" ORDER BY ${compiled.sql}, "posts"."id"`,
      compiled.params,
    );
    return result.rows.map((r) => r.id);
  };

  it('orders by fields, directions and relation paths', async () => {
    expect(compileSort('-views,+title', { lookup, collection: posts }).sql).toBe(
      '"posts"."views" DESC, "posts"."title" ASC',
    );
    expect(await sortIds('-views')).toEqual(['p3', 'p1', 'p5', 'p2', 'p4']);
    expect(await sortIds('published,views')).toEqual(['p4', 'p2', 'p5', 'p1', 'p3']);
    expect(await sortIds('-author.age')).toEqual(['p3', 'p1', 'p5', 'p2', 'p4']);
    expect(await sortIds('author.name,id')).toEqual(['p4', 'p1', 'p5', 'p2', 'p3']);
    expect((await sortIds('@random')).sort()).toEqual(POST_IDS);
  });

  it('rejects unknown fields, request values and too many fields', () => {
    const base = { lookup, collection: posts };
    expect(() => compileSort('nope', base)).toThrow();
    expect(() => compileSort('@request.method', base)).toThrow();
    expect(() => compileSort('a,b,c,d,e,f,g,h,i', base)).toThrow(/8/);
    expect(() => compileSort('secret', { ...base, allowHiddenFields: false })).toThrow();
  });
});
