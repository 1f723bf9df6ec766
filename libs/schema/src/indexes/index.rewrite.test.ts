import { describe, expect, it } from 'vitest';
import { replaceIndexColumn, replaceIndexTable } from './index.rewrite';

describe('replaceIndexTable', () => {
  it.each([
    [
      'CREATE UNIQUE INDEX `idx_x` ON `users` (`email`)',
      'members',
      'CREATE UNIQUE INDEX `idx_x` ON `members` (`email`)',
    ],
    ['create index i on users(email)', 'members', 'create index i on `members`(email)'],
    ['CREATE INDEX i ON "users" (users)', 'people', 'CREATE INDEX i ON `people` (users)'],
    ["CREATE INDEX users ON [users] (a) WHERE a = 'users'", 'x', "CREATE INDEX users ON `x` (a) WHERE a = 'users'"],
    ['CREATE INDEX i ON users (a)', 'odd`name', 'CREATE INDEX i ON `odd``name` (a)'],
  ])('%s → %s', (sql, table, expected) => {
    expect(replaceIndexTable(sql, table)).toBe(expected);
  });

  it('leaves statements that do not parse alone', () => {
    expect(replaceIndexTable('not an index', 'x')).toBe('not an index');
  });
});

describe('replaceIndexColumn', () => {
  it.each([
    ['CREATE INDEX i ON posts (`title`)', 'title', 'name', 'CREATE INDEX i ON posts (`name`)'],
    [
      'CREATE UNIQUE INDEX title ON title (Title COLLATE NOCASE DESC, lower("title")) WHERE title != \'title\'',
      'title',
      'heading',
      "CREATE UNIQUE INDEX title ON title (`heading` COLLATE NOCASE DESC, lower(`heading`)) WHERE `heading` != 'title'",
    ],
    ['CREATE INDEX i ON posts (a, b)', 'c', 'd', 'CREATE INDEX i ON posts (a, b)'],
    [
      "CREATE INDEX i ON posts (json_extract(meta, '$.meta'))",
      'meta',
      'data',
      "CREATE INDEX i ON posts (json_extract(`data`, '$.meta'))",
    ],
  ])('%s: %s → %s', (sql, from, to, expected) => {
    expect(replaceIndexColumn(sql, from, to)).toBe(expected);
  });

  it('leaves statements that do not parse alone', () => {
    expect(replaceIndexColumn('CREATE INDEX i ON t (a); x', 'a', 'b')).toBe('CREATE INDEX i ON t (a); x');
  });
});
