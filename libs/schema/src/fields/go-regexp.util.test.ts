import { describe, expect, it } from 'vitest';
import { compileGoRegexp, matchesGoRegexp } from './go-regexp.util';

describe('compileGoRegexp', () => {
  it.each([
    ['^[a-z0-9]+$', 'abc123', true],
    ['\\d+', 'x1', true],
    ['(?i)^abc$', 'AbC', true],
    ['(?s)a.b', 'a\nb', true],
    ['^(?P<word>\\w+)$', 'hello', true],
    ['^[[:digit:]]+$', '123', true],
    ['^[[:alpha:]_]+$', 'ab_', true],
    ['^[]a]+$', ']a', true],
    ['\\Aabc\\z', 'abc', true],
    ['\\-', '-', true],
    ['^.$', '😀', true],
  ])('%s matches %j: %s', (pattern, value, expected) => {
    expect(matchesGoRegexp(pattern, value)).toBe(expected);
  });

  it.each(['(', '[', 'a(?=b)', 'a(?!b)', '(?<=a)b', '(?<!a)b', '(a)\\1', '(?U)a+', '[[:nope:]]'])(
    'rejects %s like RE2',
    (pattern) => {
      const compiled = compileGoRegexp(pattern);
      expect(compiled.ok).toBe(false);
      expect(compiled.ok ? '' : compiled.message).toMatch(/^error parsing regexp: /);
    },
  );

  it('does not treat an invalid pattern as a match', () => {
    expect(matchesGoRegexp('(', '(')).toBe(false);
  });
});
