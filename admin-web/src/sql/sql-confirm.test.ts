import { describe, expect, it } from 'vitest';
import { needsConfirmation } from './sql-confirm';

describe('needsConfirmation', () => {
  it.each([
    ['update notes set title = 1', true],
    ['select 1;\ndelete from notes', true],
    ['with x as (insert into t values (1) returning *) select * from x', true],
    ['truncate notes', true],
    ['DROP\ttable t;', true],
    ['select * from updates', false],
    ['select created, updated from notes', false],
    ['select 1', false],
    ['   ', false],
  ])('%s → %s', (query, expected) => {
    expect(needsConfirmation(query)).toBe(expected);
  });
});
