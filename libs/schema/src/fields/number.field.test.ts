import { describe, expect, it } from 'vitest';
import { numberFieldDefinition as number } from './number.field';
import { CREATE, codesOf, HOSTILE_INPUTS, makeField, settingsContextFor } from './testing/field-fixtures';

const settings = (overrides: Parameters<typeof makeField<'number'>>[1]) => {
  const field = makeField('number', overrides);
  return codesOf(number.validateSettings(field, settingsContextFor(field)));
};

describe('number field', () => {
  it('defaults to no bounds', () => {
    expect(number.defaults()).toEqual({ help: '', required: false, min: null, max: null, onlyInt: false });
  });

  it('normalizes options', () => {
    expect(number.normalizeOptions({ min: 1.5, max: null, onlyInt: true })).toEqual({
      help: '',
      required: false,
      min: 1.5,
      max: null,
      onlyInt: true,
    });
    expect(number.normalizeOptions({ min: '3', max: {} })).toMatchObject({ min: null, max: null });
  });

  it('is double precision NOT NULL DEFAULT 0', () => {
    expect(number.columnType(makeField('number'))).toBe('double precision NOT NULL DEFAULT 0');
  });

  describe('validateSettings', () => {
    it.each([
      ['no bounds', {}, {}],
      ['min <= max', { min: 1, max: 2 }, {}],
      ['decimal min with onlyInt', { onlyInt: true, min: 1.5 }, { min: 'validation_only_int_constraint' }],
      ['decimal max with onlyInt', { onlyInt: true, max: 1.5 }, { max: 'validation_only_int_constraint' }],
      ['max < min', { min: 5, max: 1 }, { max: 'validation_min_greater_equal_than_required' }],
      ['max 0 < min', { min: 5, max: 0 }, { max: 'validation_min_greater_equal_than_required' }],
    ])('%s', (_name, overrides, expected) => {
      expect(settings(overrides)).toEqual(expected);
    });
  });

  describe('prepareValue', () => {
    it.each([
      [5, 5],
      ['5', 5],
      ['-1.5e3', -1500],
      ['.5', 0.5],
      [' 5', 0],
      ['abc', 0],
      ['0x10', 0],
      ['1e400', 0],
      [true, 1],
      [false, 0],
      [null, 0],
      [{}, 0],
      [['5'], 0],
    ])('casts %j to %j like cast.ToFloat64', (raw, expected) => {
      expect(number.prepareValue(makeField('number'), raw)).toBe(expected);
    });

    it('keeps Go-parsable Inf/NaN for validateValue to refuse', () => {
      expect(number.prepareValue(makeField('number'), 'Inf')).toBe(Number.POSITIVE_INFINITY);
      expect(number.prepareValue(makeField('number'), 'nan')).toBeNaN();
    });

    it('never throws and always gives a number', () => {
      for (const raw of HOSTILE_INPUTS) {
        expect(typeof number.prepareValue(makeField('number'), raw)).toBe('number');
      }
    });
  });

  describe('validateValue', () => {
    it.each([
      ['zero, not required (bounds ignored)', { min: 2 }, 0, null],
      ['zero, required', { required: true }, 0, 'validation_required'],
      ['NaN', {}, Number.NaN, 'validation_not_a_number'],
      ['Infinity', {}, Number.POSITIVE_INFINITY, 'validation_not_a_number'],
      ['decimal with onlyInt', { onlyInt: true }, 1.5, 'validation_only_int_constraint'],
      ['integer with onlyInt', { onlyInt: true }, 2, null],
      ['below min', { min: 2 }, 1, 'validation_min_number_constraint'],
      ['above max', { max: 2 }, 3, 'validation_max_number_constraint'],
      ['within bounds', { min: -1, max: 1 }, 0.5, null],
      ['not a number', {}, '5', 'validation_unsupported_value_type'],
    ])('%s', (_name, overrides, value, expected) => {
      expect(number.validateValue(makeField('number', overrides), value, CREATE)?.code ?? null).toBe(expected);
    });

    it("words bounds like Go's %f", () => {
      expect(number.validateValue(makeField('number', { min: 2 }), 1, CREATE)).toEqual({
        code: 'validation_min_number_constraint',
        message: 'Must be larger than 2.000000.',
      });
      expect(number.validateValue(makeField('number', { max: 2.5 }), 3, CREATE)?.message).toBe(
        'Must be less than 2.500000.',
      );
    });
  });

  it('sends numbers', () => {
    expect(number.toJson(makeField('number'), 1.5)).toBe(1.5);
    expect(number.toJson(makeField('number'), '2')).toBe(2);
    expect(number.toJson(makeField('number'), Number.NaN)).toBe(0);
  });
});
