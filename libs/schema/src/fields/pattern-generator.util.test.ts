import { describe, expect, it } from 'vitest';
import { checkGeneratorPattern, generateFromPattern, PatternGeneratorError } from './pattern-generator.util';

const samples = (pattern: string, count = 50) => Array.from({ length: count }, () => generateFromPattern(pattern));

describe('generateFromPattern', () => {
  it.each([
    ['[a-z0-9]{15}', /^[a-z0-9]{15}$/],
    ['^[a-z0-9]{15}$', /^[a-z0-9]{15}$/],
    ['abc', /^abc$/],
    ['[A-Z]{2}-\\d{4}', /^[A-Z]{2}-\d{4}$/],
    ['\\w{3,5}', /^\w{3,5}$/],
    ['(foo|bar)_[0-9]+', /^(foo|bar)_[0-9]{1,6}$/],
    ['(?:ab)?c', /^(ab)?c$/],
    ['(?P<x>[xyz]){2}', /^[xyz]{2}$/],
    ['[^a-z]{4}', /^[ -`{-~]{4}$/],
    ['.{8}', /^[A-Za-z0-9]{8}$/],
    ['[[:alpha:]]{3}', /^[A-Za-z]{3}$/],
    ['a*', /^a{0,6}$/],
    ['a{2,}', /^a{2,6}$/],
    ['\\x41\\.', /^A\.$/],
    ['[\\-_]{3}', /^[-_]{3}$/],
    ['x{', /^x\{$/],
  ])('%s', (pattern, expected) => {
    for (const sample of samples(pattern)) {
      expect(sample).toMatch(expected);
    }
  });

  it('reaches the top of a repeat range', () => {
    const lengths = new Set(samples('a{1,3}', 300).map((s) => s.length));
    expect(lengths).toEqual(new Set([1, 2, 3]));
  });

  it('draws from every alternative and class member', () => {
    expect(new Set(samples('[ab]', 200))).toEqual(new Set(['a', 'b']));
    expect(new Set(samples('x|y|z', 300))).toEqual(new Set(['x', 'y', 'z']));
  });

  it.each([
    '(unclosed',
    '[unclosed',
    'a)',
    '*a',
    'a**',
    'a(?=b)',
    '\\1',
    '\\bword',
    '\\p{L}',
    '[z-a]',
    'a{1001}',
    'a{3,2}',
    '[^\\x00-\\x{10FFFF}]',
    '(a{1000}){1000}',
  ])('rejects %s', (pattern) => {
    expect(() => generateFromPattern(pattern)).toThrow(PatternGeneratorError);
  });

  it('checkGeneratorPattern reports instead of throwing', () => {
    expect(checkGeneratorPattern('[a-z]{5}')).toBeNull();
    expect(checkGeneratorPattern('(?!x)')).toMatch(/unsupported group/);
  });
});
