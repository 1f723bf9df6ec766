import { describe, expect, it } from 'vitest';
import { IndexParseError } from './index.errors';
import { parseIndex } from './index.parser';
import { indexToPostgres, pgStringLiteral } from './index.translator';
import { postsCollection } from './testing/index-collections.fixture';

const translate = (sql: string) => indexToPostgres(parseIndex(sql), postsCollection());

describe('indexToPostgres', () => {
  const scenarios: { sql: string; expected: string }[] = [
    {
      sql: 'CREATE UNIQUE INDEX `idx_abc` ON `posts` (`title`)',
      expected: 'CREATE UNIQUE INDEX "idx_abc" ON "posts" ("title")',
    },
    {
      sql: 'CREATE INDEX IF NOT EXISTS idx_x ON "posts" (`views` DESC, lower(`slug`))',
      expected: 'CREATE INDEX "idx_x" ON "posts" ("views" DESC, (lower("slug")))',
    },
    {
      sql: "CREATE UNIQUE INDEX `idx_email` ON `posts` (`email`) WHERE `email` != ''",
      expected: `CREATE UNIQUE INDEX "idx_email" ON "posts" ("email") WHERE ("email" != '')`,
    },
    {
      sql: 'CREATE UNIQUE INDEX u ON posts (TITLE COLLATE nocase ASC, id)',
      expected: 'CREATE UNIQUE INDEX "u" ON "posts" ((lower("title")) ASC, "id")',
    },
    {
      sql: 'CREATE INDEX r ON posts (slug COLLATE RTRIM)',
      expected: `CREATE INDEX "r" ON "posts" ((rtrim("slug", ' ')))`,
    },
    { sql: 'CREATE INDEX b ON posts (slug COLLATE BINARY)', expected: 'CREATE INDEX "b" ON "posts" ("slug")' },
    // Collations do nothing to non-text values, in SQLite as here.
    { sql: 'CREATE INDEX n ON posts (views COLLATE NOCASE)', expected: 'CREATE INDEX "n" ON "posts" ("views")' },
    {
      sql: "CREATE INDEX j ON posts (json_extract(meta, '$.a.b[0]') COLLATE NOCASE)",
      expected: `CREATE INDEX "j" ON "posts" ((lower("meta" #>> '{a,b,0}')))`,
    },
    {
      // The table in the string is ignored: indexes always belong to their collection.
      sql: 'CREATE INDEX t ON old_name (title)',
      expected: 'CREATE INDEX "t" ON "posts" ("title")',
    },
    {
      sql: "CREATE INDEX w ON posts (title) WHERE views > '10' AND published = 1 OR NOT published",
      expected:
        'CREATE INDEX "w" ON "posts" ("title") WHERE ((("views" > 10) AND ("published" = TRUE)) OR (NOT "published"))',
    },
    {
      sql: 'CREATE INDEX w ON posts (title) WHERE views AND title = 5 AND views >= -2.5',
      expected: `CREATE INDEX "w" ON "posts" ("title") WHERE ((("views" <> 0) AND ("title" = '5')) AND ("views" >= -2.5))`,
    },
    {
      sql: "CREATE INDEX w ON posts (title) WHERE tags != '[]' AND tags = '[\"a\",\"b''c\"]'",
      expected: `CREATE INDEX "w" ON "posts" ("title") WHERE (("tags" != '{}'::text[]) AND ("tags" = ARRAY['a', 'b''c']::text[]))`,
    },
    {
      sql: `CREATE INDEX w ON posts (title) WHERE meta != '{"a": 1}' AND meta IS NOT NULL`,
      expected: `CREATE INDEX "w" ON "posts" ("title") WHERE (("meta" != '{"a":1}'::jsonb) AND ("meta" IS NOT NULL))`,
    },
    {
      sql: "CREATE INDEX w ON posts (title) WHERE json_extract(meta, '$.n') > 3 AND json_extract(meta, '$.s') = 'x'",
      expected: `CREATE INDEX "w" ON "posts" ("title") WHERE (("meta" #> '{n}' > '3'::jsonb) AND ("meta" #>> '{s}' = 'x'))`,
    },
    {
      sql: "CREATE INDEX w ON posts (title) WHERE 'x' = lower(title) AND title = slug AND title = NULL",
      expected: `CREATE INDEX "w" ON "posts" ("title") WHERE ((('x' = lower("title")) AND ("title" = "slug")) AND ("title" = NULL))`,
    },
    {
      sql: "CREATE INDEX w ON posts (title) WHERE title != 'a\\b'",
      expected: `CREATE INDEX "w" ON "posts" ("title") WHERE ("title" != E'a\\\\b')`,
    },
    {
      sql: 'CREATE INDEX "we""ird" ON posts (title)',
      expected: 'CREATE INDEX "we""ird" ON "posts" ("title")',
    },
  ];

  it.each(scenarios)('$sql', ({ sql, expected }) => {
    expect(translate(sql)).toBe(expected);
  });

  const failures: { sql: string; code: IndexParseError['code']; message: RegExp }[] = [
    { sql: 'CREATE INDEX x ON posts (nope)', code: 'unknown_column', message: /Unknown column "nope"/ },
    { sql: "CREATE INDEX x ON posts (title) WHERE nope = ''", code: 'unknown_column', message: /Unknown column/ },
    { sql: 'CREATE INDEX x ON posts (lower(views))', code: 'unsupported', message: /text-like/ },
    { sql: "CREATE INDEX x ON posts (json_extract(title, '$.a'))", code: 'unsupported', message: /json or geoPoint/ },
    {
      sql: "CREATE INDEX x ON posts (title) WHERE views > 'ten'",
      code: 'unsupported',
      message: /Cannot compare "views"/,
    },
    { sql: "CREATE INDEX x ON posts (title) WHERE published = 'yes'", code: 'unsupported', message: /Cannot compare/ },
    { sql: 'CREATE INDEX x ON posts (title) WHERE published = 2', code: 'unsupported', message: /Cannot compare/ },
    { sql: 'CREATE INDEX x ON posts (title) WHERE title = TRUE', code: 'unsupported', message: /Cannot compare/ },
    { sql: "CREATE INDEX x ON posts (title) WHERE meta = 'not json'", code: 'unsupported', message: /Cannot compare/ },
    { sql: "CREATE INDEX x ON posts (title) WHERE tags = 'a'", code: 'unsupported', message: /Cannot compare/ },
    { sql: 'CREATE INDEX x ON posts (title) WHERE title = views', code: 'unsupported', message: /types differ/ },
    { sql: 'CREATE INDEX x ON posts (title) WHERE 1 = 1', code: 'unsupported', message: /needs a column/ },
    { sql: 'CREATE INDEX x ON posts (title) WHERE NULL IS NULL', code: 'unsupported', message: /needs a column/ },
    { sql: 'CREATE INDEX x ON posts (title) WHERE title', code: 'unsupported', message: /not a boolean/ },
    { sql: `CREATE INDEX ${'x'.repeat(64)} ON posts (title)`, code: 'unsupported', message: /longer than 63 bytes/ },
  ];

  it.each(failures)('rejects $sql', ({ sql, code, message }) => {
    let thrown: unknown;
    try {
      translate(sql);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IndexParseError);
    expect((thrown as IndexParseError).code).toBe(code);
    expect((thrown as IndexParseError).message).toMatch(message);
  });

  it('accepts `id` even when the collection does not list it', () => {
    const collection = postsCollection();
    collection.fields = collection.fields.filter((field) => field.name !== 'id');
    expect(indexToPostgres(parseIndex('CREATE INDEX x ON posts (id)'), collection)).toBe(
      'CREATE INDEX "x" ON "posts" ("id")',
    );
  });
});

describe('pgStringLiteral', () => {
  it.each([
    ['', "''"],
    ["it's", "'it''s'"],
    ["'); DROP TABLE posts; --", "'''); DROP TABLE posts; --'"],
    ['back\\slash', "E'back\\\\slash'"],
    ["\\'", "E'\\\\'''"],
  ])('%s', (value, expected) => {
    expect(pgStringLiteral(value)).toBe(expected);
  });
});
