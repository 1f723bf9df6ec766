import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, FilterTooComplexError, FilterTooLongError } from '../errors/filter.errors';
import type { ComparisonNode } from './filter.ast';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, PARSED_FILTERS_LIMIT, parseFilter } from './filter.parser';

const comparison = (input: string) => parseFilter(input) as ComparisonNode;

describe('parseFilter', () => {
  it('parses every operator and its ?-form', () => {
    for (const op of ['=', '!=', '>', '>=', '<', '<=', '~', '!~']) {
      expect(comparison(`a ${op} 1`)).toMatchObject({ op, any: false });
      expect(comparison(`a ?${op} 1`)).toMatchObject({ op, any: true });
    }
  });

  it('reads literals: quoted text with escaped quotes, numbers, keywords, macros', () => {
    expect(comparison(`a = 'it\\'s'`).right).toEqual({ type: 'text', value: "it's", pos: 4 });
    expect(comparison(`a = "say \\"hi\\" \\n"`).right).toMatchObject({ value: 'say "hi" \\n' });
    expect(comparison('a = -12.5').right).toEqual({ type: 'number', value: -12.5, pos: 4 });
    expect(comparison('a = TRUE').right).toMatchObject({ type: 'bool', value: true });
    expect(comparison('a = Null').right).toMatchObject({ type: 'null' });
    expect(comparison('a > @todayStart').right).toMatchObject({ type: 'macro', name: '@todayStart' });
    expect(comparison('@request.auth.id != ""').left).toMatchObject({ type: 'field', name: '@request.auth.id' });
    expect(comparison('a.b:each ?= 1').left).toMatchObject({ type: 'field', name: 'a.b:each' });
  });

  it('parses function calls', () => {
    expect(comparison('geoDistance(a.lon, a.lat, 1, -2.5) < 10').left).toMatchObject({
      type: 'call',
      name: 'geoDistance',
      args: [{ name: 'a.lon' }, { name: 'a.lat' }, { value: 1 }, { value: -2.5 }],
    });
    expect(comparison('strftime("%Y", created, "+1 day") = "2024"').left).toMatchObject({
      type: 'call',
      name: 'strftime',
    });
  });

  it('gives && precedence over || and honours parentheses and comments', () => {
    expect(parseFilter('a = 1 || b = 2 && c = 3')).toMatchObject({
      type: 'logical',
      op: '||',
      items: [{ type: 'comparison' }, { type: 'logical', op: '&&' }],
    });
    expect(parseFilter('(a = 1 || b = 2) && c = 3')).toMatchObject({
      op: '&&',
      items: [{ op: '||' }, { type: 'comparison' }],
    });
    expect(parseFilter('// leading\na = 1 // trailing\n&& b = 2 // end')).toMatchObject({ op: '&&' });
  });

  it.each([
    ['', 0, 'an expression'],
    ['   // only a comment', 0, 'an expression'],
    ['a =', 3, 'an operand'],
    ['a', 1, 'a comparison operator'],
    ['a == 1', 2, 'a comparison operator'],
    ['a = 1 &', 6, '&& or ||'],
    ['a = 1 && (b = 2', 15, '")"'],
    ['()', 1, 'an expression'],
    ['a = "open', 4, 'a closing " quote'],
    ['a = "x\\"', 4, 'a closing " quote'],
    ['a = 1.', 4, 'a number'],
    ['a = 1 b = 2', 6, '&&, || or the end'],
    ['a = @nope', 4, 'a known macro'],
    ['a = unknownFn(1)', 4, 'a known function'],
    ['a = 1 $ 2', 6, 'an operand, operator or parenthesis'],
    ['geoDistance(1, 2 = 1', 17, '"," or ")"'],
  ])('reports the position and expectation for %j', (input, position, expected) => {
    let error: unknown;
    try {
      parseFilter(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FilterSyntaxError);
    expect((error as FilterSyntaxError).position).toBe(position);
    expect((error as FilterSyntaxError).expected).toContain(expected);
    expect((error as FilterSyntaxError).code).toBe('filter_syntax');
  });

  it('enforces the length, expression and nesting limits', () => {
    expect(() => parseFilter(`a = "${'x'.repeat(3495)}"`)).toThrow(FilterTooLongError);
    expect(() => parseFilter(`a = "${'x'.repeat(3494)}"`)).not.toThrow();
    const many = (n: number) => Array.from({ length: n }, () => 'a=1').join('&&');
    expect(() => parseFilter(many(200))).not.toThrow();
    expect(() => parseFilter(many(201))).toThrow(FilterTooComplexError);
    const nested = (n: number) => `${'('.repeat(n)}a = 1${')'.repeat(n)}`;
    expect(() => parseFilter(nested(MAX_FILTER_DEPTH))).not.toThrow();
    expect(() => parseFilter(nested(MAX_FILTER_DEPTH + 1))).toThrow(FilterTooComplexError);
    expect(() => parseFilter('('.repeat(3000))).toThrow(FilterTooComplexError);
  });
});

describe('parsed filter cache', () => {
  it('parses a text once and hands every caller the same frozen AST', () => {
    const text = `views > 10 && title ~ "cache-${Math.random()}"`;
    const first = parseFilter(text);
    expect(parseFilter(text)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first as { type: string }).type = 'changed';
    }).toThrow(TypeError);
    expect(parseFilter(` ${text}`)).not.toBe(first);
  });

  it('keeps at most PARSED_FILTERS_LIMIT texts, dropping the least recently used', () => {
    const kept = parseFilter('id = "kept-by-use"');
    const dropped = parseFilter('id = "dropped"');
    for (let i = 0; i < PARSED_FILTERS_LIMIT; i++) {
      if (i % 100 === 0) expect(parseFilter('id = "kept-by-use"')).toBe(kept);
      parseFilter(`views > ${i}`);
    }
    expect(parseFilter('id = "kept-by-use"')).toBe(kept);
    const again = parseFilter('id = "dropped"');
    expect(again).not.toBe(dropped);
    expect(again).toEqual(dropped);
  });

  it('does not keep what fails to parse: the error comes back every time', () => {
    expect(() => parseFilter('views >')).toThrow(FilterSyntaxError);
    expect(() => parseFilter('views >')).toThrow(FilterSyntaxError);
    expect(() => parseFilter('x'.repeat(MAX_FILTER_LENGTH + 1))).toThrow(FilterTooLongError);
  });
});
