import { describe, expect, it } from 'vitest';
import { selectFieldDefinition as select } from './select.field';
import { CREATE, codesOf, HOSTILE_INPUTS, makeField, settingsContextFor } from './testing/field-fixtures';

const single = makeField('select', { values: ['a', 'b', 'c'] });
const multi = makeField('select', { values: ['a', 'b', 'c'], maxSelect: 2 });

describe('select field', () => {
  it('defaults and options', () => {
    expect(select.defaults()).toEqual({ help: '', required: false, values: [], maxSelect: 0 });
    expect(select.normalizeOptions({ values: ['a', 1, 'b'], maxSelect: 2 })).toEqual({
      help: '',
      required: false,
      values: ['a', 'b'],
      maxSelect: 2,
    });
  });

  it('is a string column when single and a text[] when multiple', () => {
    expect(select.columnType(single)).toBe("text NOT NULL DEFAULT ''");
    expect(select.columnType(makeField('select', { maxSelect: 1 }))).toBe("text NOT NULL DEFAULT ''");
    expect(select.columnType(multi)).toBe("text[] NOT NULL DEFAULT '{}'");
  });

  it.each([
    ['valid single', { values: ['a'] }, {}],
    ['valid multi', { values: ['a', 'b'], maxSelect: 2 }, {}],
    ['no values', { values: [] }, { values: 'validation_required' }],
    [
      'maxSelect above the values count',
      { values: ['a', 'b'], maxSelect: 3 },
      { maxSelect: 'validation_max_less_equal_than_required' },
    ],
    [
      'negative maxSelect',
      { values: ['a'], maxSelect: -1 },
      { maxSelect: 'validation_min_greater_equal_than_required' },
    ],
  ])('validates settings: %s', (_name, overrides, expected) => {
    const field = makeField('select', overrides);
    expect(codesOf(select.validateSettings(field, settingsContextFor(field)))).toEqual(expected);
  });

  describe('prepareValue', () => {
    it.each([
      [single, 'a', 'a'],
      [single, ['a', 'b'], 'b'],
      [single, [], ''],
      [single, null, ''],
      [single, '["a","b"]', 'b'],
      [multi, 'a', ['a']],
      [multi, ['a', 'b', 'a', '', 'c'], ['a', 'b', 'c']],
      [multi, '["a","b"]', ['a', 'b']],
      [multi, '[not json', ['[not json']],
      [multi, [1, true, { x: 1 }, null], ['1', 'true']],
      [multi, 5, ['5']],
      [multi, { a: 1 }, []],
      [multi, 'a\u0000', ['a']],
    ])('%#: %j', (field, raw, expected) => {
      expect(select.prepareValue(field, raw)).toEqual(expected);
    });

    it('never throws on hostile input', () => {
      for (const raw of HOSTILE_INPUTS) {
        expect(typeof select.prepareValue(single, raw)).toBe('string');
        expect(Array.isArray(select.prepareValue(multi, raw))).toBe(true);
      }
    });
  });

  describe('validateValue', () => {
    it.each([
      ['empty single, not required', single, '', null],
      ['empty single, required', { ...single, required: true }, '', 'validation_required'],
      ['empty multi, required', { ...multi, required: true }, [], 'validation_required'],
      ['allowed value', single, 'b', null],
      ['unknown value', single, 'x', 'validation_invalid_value'],
      ['too many', multi, ['a', 'b', 'c'], 'validation_too_many_values'],
      ['two allowed', multi, ['a', 'c'], null],
      ['list on a single field', single, ['a', 'b'], 'validation_too_many_values'],
    ])('%s', (_name, field, value, expected) => {
      expect(select.validateValue(field, value, CREATE)?.code ?? null).toBe(expected);
    });

    it('gives PocketBase messages and params', () => {
      expect(select.validateValue(single, 'x', CREATE)).toEqual({
        code: 'validation_invalid_value',
        message: 'Invalid value x.',
        params: { value: 'x' },
      });
      expect(select.validateValue(multi, ['a', 'b', 'c'], CREATE)).toEqual({
        code: 'validation_too_many_values',
        message: 'Select no more than 2.',
        params: { maxSelect: 2 },
      });
    });
  });

  it('sends a string when single and a list when multiple', () => {
    expect(select.toJson(single, 'a')).toBe('a');
    expect(select.toJson(single, '')).toBe('');
    expect(select.toJson(single, ['a', 'b'])).toBe('b');
    expect(select.toJson(multi, ['a', 'b'])).toEqual(['a', 'b']);
    expect(select.toJson(multi, [])).toEqual([]);
    expect(select.toJson(multi, null)).toEqual([]);
    expect(select.toJson(multi, 'a')).toEqual(['a']);
  });
});
