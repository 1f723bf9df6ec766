import { describe, expect, it } from 'vitest';
import {
  CREATE,
  codesOf,
  HOSTILE_INPUTS,
  makeCollection,
  makeField,
  makeLookup,
  settingsContextFor,
  UPDATE,
} from './testing/field-fixtures';
import { TEXT_DEFAULT_MAX_LENGTH, textFieldDefinition as text } from './text.field';

const settings = (overrides: Parameters<typeof makeField<'text'>>[1]) => {
  const field = makeField('text', overrides);
  return codesOf(text.validateSettings(field, settingsContextFor(field)));
};

describe('text field', () => {
  it('has PocketBase zero-value defaults', () => {
    expect(text.defaults()).toEqual({
      help: '',
      required: false,
      min: 0,
      max: 0,
      pattern: '',
      autogeneratePattern: '',
      primaryKey: false,
    });
  });

  it('normalizes options, falling back to defaults for wrong JSON types', () => {
    expect(text.normalizeOptions({ min: 3, max: 10.7, pattern: '^a', required: true, primaryKey: 'yes' })).toEqual({
      help: '',
      required: true,
      min: 3,
      max: 10,
      pattern: '^a',
      autogeneratePattern: '',
      primaryKey: false,
    });
    expect(text.normalizeOptions({ min: '5', max: null })).toMatchObject({ min: 0, max: 0 });
  });

  it('uses text NOT NULL DEFAULT empty, and PRIMARY KEY for the id field', () => {
    expect(text.columnType(makeField('text'))).toBe("text NOT NULL DEFAULT ''");
    expect(text.columnType(makeField('text', { primaryKey: true }))).toBe('text NOT NULL PRIMARY KEY');
  });

  describe('validateSettings', () => {
    it('accepts a minimal field and a valid id field', () => {
      expect(settings({})).toEqual({});
      expect(
        settings({
          name: 'id',
          primaryKey: true,
          required: true,
          pattern: '^[a-z0-9]+$',
          autogeneratePattern: '[a-z0-9]{15}',
          min: 15,
          max: 15,
        }),
      ).toEqual({});
    });

    it.each([
      ['empty name', { name: '' }, { name: 'validation_required' }],
      ['name with spaces', { name: 'a b' }, { name: 'validation_match_invalid' }],
      ['reserved name', { name: 'expand' }, { name: 'validation_not_in_invalid' }],
      ['name with _via_', { name: 'a_via_b' }, { name: 'validation_found_via' }],
      ['name over 100 chars', { name: 'a'.repeat(101) }, { name: 'validation_length_out_of_range' }],
      ['empty id', { id: '' }, { id: 'validation_required' }],
      ['negative min', { min: -1 }, { min: 'validation_min_greater_equal_than_required' }],
      ['min over 2^53-1', { min: 2 ** 53 }, { min: 'validation_max_less_equal_than_required' }],
      ['max < min', { min: 5, max: 3 }, { max: 'validation_min_greater_equal_than_required' }],
      ['negative max', { max: -1 }, { max: 'validation_min_greater_equal_than_required' }],
      ['invalid pattern', { pattern: '(invalid' }, { pattern: 'validation_invalid_regex' }],
      ['lookahead pattern (not RE2)', { pattern: 'a(?=b)' }, { pattern: 'validation_invalid_regex' }],
      [
        'invalid autogeneratePattern',
        { autogeneratePattern: '(invalid' },
        { autogeneratePattern: 'validation_invalid_regex' },
      ],
      [
        'autogeneratePattern that cannot be generated',
        { autogeneratePattern: '\\bword' },
        { autogeneratePattern: 'validation_invalid_autogenerate_pattern' },
      ],
      [
        'autogeneratePattern conflicting with pattern',
        { pattern: '^\\d+$', autogeneratePattern: '[a-z]+' },
        { autogeneratePattern: 'validation_invalid_autogenerate_pattern_value' },
      ],
      [
        'autogeneratePattern longer than max',
        { max: 3, autogeneratePattern: '[a-z]{5}' },
        { autogeneratePattern: 'validation_invalid_autogenerate_pattern_value' },
      ],
      [
        'primaryKey not named id',
        { name: 'test', primaryKey: true, required: true, pattern: '\\d+' },
        { name: 'validation_in_invalid' },
      ],
      [
        'primaryKey without pattern',
        { name: 'id', primaryKey: true, required: true },
        { pattern: 'validation_required' },
      ],
      [
        'primaryKey without required',
        { name: 'id', primaryKey: true, pattern: '\\d+' },
        { required: 'validation_required' },
      ],
      [
        'hidden primaryKey',
        { name: 'id', primaryKey: true, required: true, pattern: '\\d+', hidden: true },
        { hidden: 'validation_empty' },
      ],
    ])('rejects %s', (_name, overrides, expected) => {
      expect(settings(overrides)).toEqual(expected);
    });

    it('rejects a second primary key in the collection', () => {
      const first = makeField('text', { id: 'a', name: 'id', primaryKey: true, required: true, pattern: 'x' });
      const second = makeField('text', { id: 'b', name: 'id', primaryKey: true, required: true, pattern: 'x' });
      const context = { collection: makeCollection([first, second]), lookup: makeLookup([]) };
      expect(codesOf(text.validateSettings(second, context))).toEqual({
        primaryKey: 'validation_unsupported_composite_pk',
      });
    });

    it('sends the PocketBase messages and params', () => {
      const field = makeField('text', { min: 5, max: 3 });
      expect(text.validateSettings(field, settingsContextFor(field))).toEqual({
        max: {
          code: 'validation_min_greater_equal_than_required',
          message: 'Must be no less than 5.',
          params: { threshold: 5 },
        },
      });
    });
  });

  describe('prepareValue', () => {
    it.each([
      ['', ''],
      ['test', 'test'],
      [false, 'false'],
      [true, 'true'],
      [123.456, '123.456'],
      [1e21, '1000000000000000000000'],
      [1e-7, '0.0000001'],
      [null, ''],
      [undefined, ''],
      [{ a: 1 }, ''],
      [['a'], ''],
      ['a\u0000b', 'ab'],
    ])('casts %j to %j like cast.ToString', (raw, expected) => {
      expect(text.prepareValue(makeField('text'), raw)).toBe(expected);
    });

    it('never throws and always gives a string', () => {
      for (const raw of HOSTILE_INPUTS) {
        expect(typeof text.prepareValue(makeField('text'), raw)).toBe('string');
      }
    });
  });

  describe('validateValue', () => {
    it.each([
      ['empty, not required (other rules ignored)', { pattern: '\\d+', min: 10, max: 100 }, '', null],
      ['empty, required', { required: true }, '', 'validation_required'],
      ['non-empty, required', { required: true }, 'abc', null],
      ['fewer characters than min (multi-byte)', { min: 4 }, 'абв', 'validation_min_text_constraint'],
      ['exactly min characters (multi-byte)', { min: 3 }, 'абв', null],
      ['over max', { max: 2 }, 'абв', 'validation_max_text_constraint'],
      ['over the default max', {}, 'a'.repeat(TEXT_DEFAULT_MAX_LENGTH + 1), 'validation_max_text_constraint'],
      ['at the default max', {}, 'a'.repeat(TEXT_DEFAULT_MAX_LENGTH), null],
      ['pattern mismatch', { pattern: '\\d+' }, 'abc', 'validation_invalid_format'],
      ['pattern match (unanchored, as Go)', { pattern: '\\d+' }, 'abc1', null],
      ['Go named group', { pattern: '^(?P<n>[a-z]+)$' }, 'abc', null],
      ['Go case-insensitive flag', { pattern: '(?i)^abc$' }, 'ABC', null],
      ['slash in a non-primary key', {}, 'a/b', null],
    ])('%s', (_name, overrides, value, expected) => {
      const error = text.validateValue(makeField('text', overrides), value, CREATE);
      expect(error?.code ?? null).toBe(expected);
    });

    it('gives PocketBase messages and params', () => {
      expect(text.validateValue(makeField('text', { min: 3 }), 'ab', CREATE)).toEqual({
        code: 'validation_min_text_constraint',
        message: 'Must be at least 3 character(s).',
        params: { min: 3 },
      });
      expect(text.validateValue(makeField('text'), 'a'.repeat(5001), CREATE)).toEqual({
        code: 'validation_max_text_constraint',
        message: 'Must be no more than 5000 character(s).',
        params: { max: 5000 },
      });
      expect(text.validateValue(makeField('text', { required: true }), '', CREATE)).toEqual({
        code: 'validation_required',
        message: 'Cannot be blank.',
      });
    });

    it('checks new primary keys for forbidden characters and emptiness', () => {
      const id = makeField('text', { name: 'id', primaryKey: true, pattern: '^[a-z0-9/\\\\]+$', required: true });
      expect(text.validateValue(id, 'a/b', CREATE)).toEqual({
        code: 'validation_pk_forbidden',
        message: 'The record primary key contains forbidden characters.',
        params: { forbidden: '/' },
      });
      expect(text.validateValue(id, 'a\\b', CREATE)?.code).toBe('validation_pk_forbidden');
      expect(text.validateValue(id, '', CREATE)?.code).toBe('validation_required');
      expect(text.validateValue(id, 'abc', CREATE)).toBeNull();
      // an existing id is not re-validated
      expect(text.validateValue(id, 'a/b', UPDATE)).toBeNull();
    });

    it('reports a prepared value of the wrong type', () => {
      expect(text.validateValue(makeField('text'), 123, CREATE)?.code).toBe('validation_unsupported_value_type');
    });
  });

  it('sends strings out as they are', () => {
    expect(text.toJson(makeField('text'), 'abc')).toBe('abc');
    expect(text.toJson(makeField('text'), null)).toBe('');
  });
});
