import { describe, expect, it } from 'vitest';
import { IndexParseError } from './index.errors';
import type { IndexItem, ParsedIndex } from './index.model';
import { indexColumnRefs, parseIndex } from './index.parser';

// Expectations leave source spans out (see withoutSpans), so they are plain objects.
const col = (name: string) => ({ kind: 'column', name });
const item = (expr: object, extra: Partial<Pick<IndexItem, 'collate' | 'order'>> = {}) => ({
  expr,
  collate: null,
  order: null,
  ...extra,
});

/** The parse result without source spans, which the expectations below do not spell out. */
function withoutSpans(parsed: ParsedIndex): unknown {
  return JSON.parse(
    JSON.stringify(parsed, (key, value) => (key === 'span' || key === 'tableSpan' ? undefined : value)),
  );
}

describe('parseIndex: valid statements', () => {
  const scenarios: { sql: string; expected: Record<string, unknown> }[] = [
    {
      sql: 'CREATE UNIQUE INDEX `idx_abc` ON `posts` (`title`)',
      expected: { name: 'idx_abc', unique: true, ifNotExists: false, table: 'posts', items: [item(col('title'))] },
    },
    {
      sql: 'create index indexname on tablename(col1)',
      expected: { name: 'indexname', unique: false, table: 'tablename', items: [item(col('col1'))] },
    },
    {
      sql: 'CREATE INDEX idx_x ON "posts" (`a` DESC, lower(`b`))',
      expected: {
        name: 'idx_x',
        table: 'posts',
        items: [item(col('a'), { order: 'DESC' }), item({ kind: 'call', fn: 'lower', column: col('b'), path: null })],
      },
    },
    {
      sql: "CREATE UNIQUE INDEX `idx_email` ON `users` (`email`) WHERE `email` != ''",
      expected: {
        unique: true,
        table: 'users',
        where: { kind: 'compare', op: '!=', left: col('email'), right: { kind: 'string', value: '' } },
      },
    },
    {
      // PocketBase's own "all fields" example, minus the schema name.
      sql: `CREATE UNIQUE INDEX IF NOT EXISTS [indexname] on 'tablename' (
        col0,
        \`col1\`,
        json_extract("col2", "$.a") asc,
        "col3" collate NOCASE,
        "col4" collate RTRIM desc
      ) where test = 1`,
      expected: {
        name: 'indexname',
        unique: true,
        ifNotExists: true,
        table: 'tablename',
        items: [
          item(col('col0')),
          item(col('col1')),
          item(
            { kind: 'call', fn: 'json_extract', column: col('col2'), path: ['a'] },
            {
              order: 'ASC',
            },
          ),
          item(col('col3'), { collate: 'NOCASE' }),
          item(col('col4'), { collate: 'RTRIM', order: 'DESC' }),
        ],
        where: { kind: 'compare', op: '=', left: col('test'), right: { kind: 'number', value: '1' } },
      },
    },
    {
      sql: 'CREATE INDEX i ON t (`we``ird`, "q""uote", [sp ace])',
      expected: { items: [item(col('we`ird')), item(col('q"uote')), item(col('sp ace'))] },
    },
    {
      sql: "CREATE INDEX i ON t (a) WHERE NOT a = 'x' AND (b IS NOT NULL OR c IS NULL)",
      expected: {
        where: {
          kind: 'and',
          left: {
            kind: 'not',
            operand: { kind: 'compare', op: '=', left: col('a'), right: { kind: 'string', value: 'x' } },
          },
          right: {
            kind: 'or',
            left: { kind: 'isNull', negated: true, operand: col('b') },
            right: { kind: 'isNull', negated: false, operand: col('c') },
          },
        },
      },
    },
    {
      sql: 'CREATE INDEX i ON t (a) WHERE a <> -1.5e3 OR b == TRUE OR c >= .5 OR published',
      expected: {
        where: {
          kind: 'or',
          left: {
            kind: 'or',
            left: {
              kind: 'or',
              left: { kind: 'compare', op: '!=', left: col('a'), right: { kind: 'number', value: '-1.5e3' } },
              right: { kind: 'compare', op: '=', left: col('b'), right: { kind: 'bool', value: true } },
            },
            right: { kind: 'compare', op: '>=', left: col('c'), right: { kind: 'number', value: '.5' } },
          },
          right: { kind: 'truthy', operand: col('published') },
        },
      },
    },
    {
      sql: "CREATE INDEX i ON t (json_extract(meta, '$.a.b[2]'))",
      expected: {
        items: [item({ kind: 'call', fn: 'json_extract', column: col('meta'), path: ['a', 'b', 2] })],
      },
    },
    {
      sql: "CREATE INDEX i ON t (a) WHERE a = 'it''s'",
      expected: {
        where: { kind: 'compare', op: '=', left: col('a'), right: { kind: 'string', value: "it's" } },
      },
    },
  ];

  it.each(scenarios)('$sql', ({ sql, expected }) => {
    expect(withoutSpans(parseIndex(sql))).toMatchObject(expected);
  });

  it('records where the table and each column are written', () => {
    const sql = 'CREATE INDEX i ON `posts` (title, lower("Slug")) WHERE title != \'\'';
    const parsed = parseIndex(sql);
    expect(sql.slice(parsed.tableSpan.start, parsed.tableSpan.end)).toBe('`posts`');
    expect(indexColumnRefs(parsed).map((ref) => sql.slice(ref.span.start, ref.span.end))).toEqual([
      'title',
      '"Slug"',
      'title',
    ]);
  });
});

describe('parseIndex: rejected statements', () => {
  const scenarios: { name: string; sql: string; message: RegExp }[] = [
    { name: 'not an index', sql: 'invalid', message: /Expected CREATE/ },
    { name: 'empty', sql: '', message: /Expected CREATE/ },
    { name: 'second statement', sql: 'CREATE INDEX x ON posts (title); DROP TABLE posts', message: /Semicolons/ },
    { name: 'trailing semicolon', sql: 'CREATE INDEX x ON posts (title);', message: /Semicolons/ },
    { name: 'line comment', sql: 'CREATE INDEX x ON posts (title) -- hi', message: /Comments/ },
    { name: 'block comment', sql: 'CREATE INDEX x ON posts (title /* hi */)', message: /Comments/ },
    { name: 'unbalanced backtick', sql: 'CREATE INDEX `x ON posts (title)', message: /Unterminated/ },
    { name: 'unbalanced string', sql: "CREATE INDEX x ON posts (title) WHERE title = 'a", message: /Unterminated/ },
    { name: 'unbalanced bracket', sql: 'CREATE INDEX x ON posts ([title)', message: /Unterminated/ },
    { name: 'unbalanced parenthesis', sql: 'CREATE INDEX x ON posts (title', message: /Expected "\)"/ },
    { name: 'NUL byte', sql: 'CREATE INDEX x ON posts (title\u0000)', message: /NUL/ },
    { name: 'NUL in a quoted name', sql: 'CREATE INDEX `x\u0000` ON posts (title)', message: /NUL/ },
    { name: 'unknown function', sql: 'CREATE INDEX x ON posts (pg_sleep(title))', message: /Unsupported function/ },
    { name: 'nested call', sql: 'CREATE INDEX x ON posts (lower(upper(title)))', message: /Expected "\)"/ },
    { name: 'subquery in WHERE', sql: 'CREATE INDEX x ON posts (a) WHERE a = (SELECT 1)', message: /Expected/ },
    { name: 'function in WHERE', sql: 'CREATE INDEX x ON posts (a) WHERE random() > 1', message: /Unsupported/ },
    { name: 'LIKE', sql: "CREATE INDEX x ON posts (a) WHERE a LIKE 'x%'", message: /after the index/ },
    { name: 'IN list', sql: 'CREATE INDEX x ON posts (a) WHERE a IN (1, 2)', message: /after the index/ },
    { name: 'concatenation', sql: "CREATE INDEX x ON posts (a) WHERE a || 'x' = 'y'", message: /Unexpected/ },
    { name: 'hex number', sql: 'CREATE INDEX x ON posts (a) WHERE a = 0x10', message: /Malformed number/ },
    { name: 'huge number', sql: 'CREATE INDEX x ON posts (a) WHERE a = 1e999', message: /out of range/ },
    { name: 'no columns', sql: 'CREATE INDEX x ON posts ()', message: /Expected a column/ },
    { name: 'no index name', sql: 'CREATE INDEX ON posts (a)', message: /Expected the index name/ },
    { name: 'empty index name', sql: 'CREATE INDEX `` ON posts (a)', message: /empty/ },
    { name: 'schema-qualified', sql: 'CREATE INDEX main.x ON posts (a)', message: /Schema-qualified/ },
    { name: 'qualified column', sql: 'CREATE INDEX x ON posts (posts.a)', message: /Qualified column/ },
    { name: 'unknown collation', sql: 'CREATE INDEX x ON posts (a COLLATE "C")', message: /Unsupported collation/ },
    { name: 'keyword as column', sql: 'CREATE INDEX x ON posts (where)', message: /keyword/ },
    { name: 'trailing junk', sql: 'CREATE INDEX x ON posts (a) DROP', message: /after the index/ },
    { name: 'ORDER inside list', sql: 'CREATE INDEX x ON posts (a ASC DESC)', message: /Expected "\)"/ },
    { name: 'unknown JSON path', sql: "CREATE INDEX x ON posts (json_extract(m, '$.a-b'))", message: /JSON path/ },
    { name: 'JSON path without $', sql: "CREATE INDEX x ON posts (json_extract(m, 'a'))", message: /start with/ },
    {
      name: 'quote breaking out of a name',
      sql: 'CREATE INDEX "x" ON posts (a); DROP TABLE posts; --" ON posts (a)',
      message: /Semicolons/,
    },
    { name: 'dollar sign', sql: 'CREATE INDEX x ON posts (a) WHERE a = $1', message: /Unexpected character/ },
    { name: 'IS with a value', sql: "CREATE INDEX x ON posts (a) WHERE a IS 'x'", message: /Expected NULL/ },
    {
      name: 'too deep',
      sql: `CREATE INDEX x ON posts (a) WHERE ${'('.repeat(40)}a = 1${')'.repeat(40)}`,
      message: /deeply/,
    },
    { name: 'too many NOTs', sql: `CREATE INDEX x ON posts (a) WHERE ${'NOT '.repeat(40)}a`, message: /deeply/ },
    { name: 'too long', sql: `CREATE INDEX x ON posts (a) WHERE a = '${'x'.repeat(5000)}'`, message: /longer than/ },
  ];

  it.each(scenarios)('$name', ({ sql, message }) => {
    let thrown: unknown;
    try {
      parseIndex(sql);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IndexParseError);
    expect((thrown as IndexParseError).code).toBe('invalid_syntax');
    expect((thrown as IndexParseError).message).toMatch(message);
  });

  it('keeps a hostile but well-quoted name as data', () => {
    const parsed = parseIndex('CREATE INDEX "x"" ON posts (a); DROP TABLE posts; --" ON posts (a)');
    expect(parsed.name).toBe('x" ON posts (a); DROP TABLE posts; --');
    expect(parsed.table).toBe('posts');
  });

  it('rejects a non-string', () => {
    expect(() => parseIndex(42 as unknown as string)).toThrow(IndexParseError);
  });
});
