import { describe, expect, it } from 'vitest';
import { comparableBcryptHash, passwordFieldDefinition as password } from './password.field';
import { CREATE, codesOf, HOSTILE_INPUTS, makeField, settingsContextFor } from './testing/field-fixtures';

describe('password field', () => {
  it('defaults, options and column', () => {
    expect(password.defaults()).toEqual({ help: '', required: false, pattern: '', min: 0, max: 0, cost: 0 });
    expect(password.normalizeOptions({ min: 8, cost: 12, pattern: '\\d' })).toEqual({
      help: '',
      required: false,
      pattern: '\\d',
      min: 8,
      max: 0,
      cost: 12,
    });
    expect(password.columnType(makeField('password'))).toBe("text NOT NULL DEFAULT ''");
  });

  it.each([
    ['defaults', {}, {}],
    ['auth defaults', { min: 8, max: 71, cost: 10 }, {}],
    ['negative min', { min: -1 }, { min: 'validation_min_greater_equal_than_required' }],
    ['min over 71', { min: 72 }, { min: 'validation_max_less_equal_than_required' }],
    ['max < min', { min: 10, max: 9 }, { max: 'validation_min_greater_equal_than_required' }],
    ['max over 71', { max: 72 }, { max: 'validation_max_less_equal_than_required' }],
    ['cost under 4', { cost: 3 }, { cost: 'validation_min_greater_equal_than_required' }],
    ['cost over 31', { cost: 32 }, { cost: 'validation_max_less_equal_than_required' }],
    ['invalid pattern', { pattern: '[' }, { pattern: 'validation_invalid_regex' }],
  ])('validates settings: %s', (_name, overrides, expected) => {
    const field = makeField('password', overrides);
    expect(codesOf(password.validateSettings(field, settingsContextFor(field)))).toEqual(expected);
  });

  it('keeps the plain text for validation and never throws', () => {
    expect(password.prepareValue(makeField('password'), 'secret123')).toBe('secret123');
    expect(password.prepareValue(makeField('password'), 12345678)).toBe('12345678');
    for (const raw of HOSTILE_INPUTS) {
      expect(typeof password.prepareValue(makeField('password'), raw)).toBe('string');
    }
  });

  it.each([
    ['empty, not required', {}, '', null],
    ['empty, required', { required: true }, '', 'validation_required'],
    ['shorter than min', { min: 8 }, 'short', 'validation_min_text_constraint'],
    ['longer than the default 71', {}, 'a'.repeat(72), 'validation_max_text_constraint'],
    ['longer than max', { max: 10 }, 'a'.repeat(11), 'validation_max_text_constraint'],
    ['pattern mismatch', { pattern: '\\d' }, 'abcdefgh', 'validation_invalid_format'],
    ['valid', { min: 8, pattern: '\\d' }, 'abcdefg1', null],
  ])('validateValue: %s', (_name, overrides, value, expected) => {
    expect(password.validateValue(makeField('password', overrides), value, CREATE)?.code ?? null).toBe(expected);
  });

  it('words length errors like PocketBase (no params)', () => {
    expect(password.validateValue(makeField('password', { min: 8 }), 'abc', CREATE)).toEqual({
      code: 'validation_min_text_constraint',
      message: 'Must be at least 8 character(s).',
    });
    expect(password.validateValue(makeField('password'), 'a'.repeat(72), CREATE)).toEqual({
      code: 'validation_max_text_constraint',
      message: 'Must be less than 71 character(s).',
    });
  });

  it('never sends the value out', () => {
    expect(password.toJson(makeField('password'), '$2a$10$abcdef')).toBe('');
  });

  it('reads a PHP-style $2y$ hash as $2b$ and leaves every other stored value as it is', () => {
    const salted = '10$abcdefghijklmnopqrstuv';
    expect(comparableBcryptHash(`$2y$${salted}`)).toBe(`$2b$${salted}`);
    for (const kept of [`$2a$${salted}`, `$2b$${salted}`, `$2x$${salted}`, '', 'plain $2y$ text']) {
      expect(comparableBcryptHash(kept)).toBe(kept);
    }
  });
});
