import { describe, expect, it } from 'vitest';
import type { AuthCollection, Collection, ViewCollection } from '../model/collection.model';
import { findSingleColumnUniqueIndex, validateIndexes } from './index.validator';
import { lookupOf, postsCollection } from './testing/index-collections.fixture';

const posts = (indexes: string[]) => postsCollection({ indexes });

describe('validateIndexes', () => {
  const scenarios: { name: string; collection: Collection; expected: unknown }[] = [
    { name: 'no indexes', collection: posts([]), expected: {} },
    {
      name: 'valid indexes',
      collection: posts([
        'CREATE UNIQUE INDEX `idx_slug` ON `posts` (`slug`)',
        "CREATE INDEX idx_title ON posts (lower(title)) WHERE title != ''",
      ]),
      expected: {},
    },
    {
      name: 'unparsable, unknown column, then a valid one',
      collection: posts([
        'CREATE INDEX x ON posts (title); DROP TABLE posts',
        'CREATE INDEX y ON posts (nope)',
        'CREATE INDEX z ON posts (title)',
      ]),
      expected: {
        indexes: {
          '0': {
            code: 'validation_invalid_index_expression',
            message: expect.stringMatching(/^Invalid CREATE INDEX expression - Semicolons/),
          },
          '1': { code: 'validation_invalid_index_expression', message: expect.stringMatching(/Unknown column "nope"/) },
        },
      },
    },
    {
      name: 'duplicated name (case-insensitive)',
      collection: posts(['CREATE INDEX idx_a ON posts (title)', 'CREATE INDEX IDX_A ON posts (slug)']),
      expected: {
        indexes: { '1': { code: 'validation_duplicated_index_name', message: 'The index name already exists.' } },
      },
    },
    {
      name: 'duplicated definition (names, table, quoting and case aside)',
      collection: posts([
        'CREATE INDEX a ON posts (title, views DESC)',
        'CREATE INDEX b ON other (`TITLE`, "views" DESC)',
      ]),
      expected: {
        indexes: {
          '1': { code: 'validation_duplicated_index_definition', message: 'The index definition already exists.' },
        },
      },
    },
    {
      name: 'a different WHERE is a different definition',
      collection: posts(['CREATE INDEX a ON posts (title)', "CREATE INDEX b ON posts (title) WHERE title != ''"]),
      expected: {},
    },
    {
      name: 'views cannot have indexes',
      collection: {
        ...posts(['CREATE INDEX a ON posts (title)']),
        type: 'view',
        viewQuery: 'select 1',
      } as ViewCollection,
      expected: {
        indexes: { code: 'validation_indexes_not_supported', message: "View collections don't support indexes." },
      },
    },
  ];

  it.each(scenarios)('$name', ({ collection, expected }) => {
    expect(validateIndexes(collection)).toEqual(expected);
  });

  it('rejects a name another collection uses, or that names another collection', () => {
    const other = postsCollection({
      id: 'pbc_other',
      name: 'comments',
      indexes: ['CREATE INDEX idx_shared ON comments (title)'],
    });
    const mine = posts(['CREATE INDEX idx_shared ON posts (title)', 'CREATE INDEX Comments ON posts (slug)']);
    expect(validateIndexes(mine, { lookup: lookupOf([other, mine]) })).toEqual({
      indexes: {
        '0': {
          code: 'validation_existing_index_name',
          message: 'The index name is already used in comments collection.',
          params: { usedTableName: 'comments' },
        },
        '1': {
          code: 'validation_existing_index_name',
          message: 'The index name is already used in comments collection.',
          params: { usedTableName: 'comments' },
        },
      },
    });
  });

  it('rejects an index named like its own table', () => {
    expect(validateIndexes(posts(['CREATE INDEX Posts ON posts (title)']))).toEqual({
      indexes: {
        '0': {
          code: 'validation_existing_index_name',
          message: 'The index name is already used in posts collection.',
          params: { usedTableName: 'posts' },
        },
      },
    });
  });

  it('lets the collection keep its own index names when it is updated', () => {
    const stored = posts(['CREATE INDEX idx_a ON posts (title)']);
    const renamed = { ...stored, name: 'articles' };
    expect(validateIndexes(renamed, { original: stored, lookup: lookupOf([stored]) })).toEqual({});
  });

  it('keeps unique indexes on system fields', () => {
    const stored = posts(['CREATE UNIQUE INDEX idx_id ON posts (id)', 'CREATE UNIQUE INDEX idx_slug ON posts (slug)']);
    // Renaming the index or changing its collation is fine; dropping it is not.
    expect(
      validateIndexes(posts(['CREATE UNIQUE INDEX renamed ON posts (`ID` COLLATE NOCASE)']), { original: stored }),
    ).toEqual({});
    expect(validateIndexes(posts([]), { original: stored })).toEqual({
      indexes: {
        code: 'validation_invalid_unique_system_field_index',
        message: 'Unique index definition on system fields (id) is invalid or missing.',
        params: { fieldName: 'id' },
      },
    });
  });

  it('requires unique tokenKey and email indexes on auth collections', () => {
    const base = postsCollection();
    const auth = {
      ...base,
      type: 'auth',
      fields: [
        ...base.fields.filter((field) => field.name !== 'email'),
        { ...base.fields[1], id: 'f_tokenKey', name: 'tokenKey' },
        { ...base.fields[1], id: 'f_email', name: 'email' },
      ],
      indexes: ['CREATE UNIQUE INDEX tk ON users (tokenKey)'],
    } as unknown as AuthCollection;
    expect(validateIndexes(auth)).toEqual({
      indexes: {
        code: 'validation_missing_required_unique_index',
        message: 'Missing required unique index for field "email".',
        params: { fieldName: 'email' },
      },
    });
    auth.indexes.push("CREATE UNIQUE INDEX em ON users (email) WHERE email != ''");
    expect(validateIndexes(auth)).toEqual({});
  });
});

describe('findSingleColumnUniqueIndex', () => {
  it.each([
    [[], 'email', null],
    [['CREATE UNIQUE INDEX i ON t (`email`)'], 'EMAIL', 'i'],
    [['CREATE INDEX i ON t (email)'], 'email', null],
    [['CREATE UNIQUE INDEX i ON t (email, name)'], 'email', null],
    [['CREATE UNIQUE INDEX i ON t (lower(email))'], 'email', null],
    [['broken', "CREATE UNIQUE INDEX j ON t (email) WHERE email != ''"], 'email', 'j'],
  ] as [string[], string, string | null][])('%j has %s → %s', (indexes, column, expected) => {
    expect(findSingleColumnUniqueIndex(indexes, column)?.name ?? null).toBe(expected);
  });
});
