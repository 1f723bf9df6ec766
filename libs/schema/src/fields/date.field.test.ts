import { describe, expect, it } from 'vitest';
import { dateFieldDefinition as date } from './date.field';
import { CREATE, codesOf, HOSTILE_INPUTS, makeField, settingsContextFor } from './testing/field-fixtures';

describe('date field', () => {
  it('defaults and column', () => {
    expect(date.defaults()).toEqual({ help: '', required: false, min: '', max: '' });
    expect(date.columnType(makeField('date'))).toBe("text NOT NULL DEFAULT ''");
  });

  it('normalizes min/max to the stored format and keeps unreadable ones for validation', () => {
    expect(date.normalizeOptions({ min: '2024-01-02T03:04:05Z', max: '2024-02-01' })).toEqual({
      help: '',
      required: false,
      min: '2024-01-02 03:04:05.000Z',
      max: '2024-02-01 00:00:00.000Z',
    });
    expect(date.normalizeOptions({ min: 'soon', max: 5 })).toEqual({ help: '', required: false, min: 'soon', max: '' });
  });

  it.each([
    ['no bounds', {}, {}],
    ['min <= max', { min: '2024-01-01 00:00:00.000Z', max: '2024-01-01 00:00:00.000Z' }, {}],
    ['unreadable min', { min: 'soon' }, { min: 'validation_date_invalid' }],
    ['unreadable max', { max: '2024-13-01' }, { max: 'validation_date_invalid' }],
    [
      'max before min',
      { min: '2024-02-01 00:00:00.000Z', max: '2024-01-01 00:00:00.000Z' },
      { max: 'validation_date_out_of_range' },
    ],
  ])('validates settings: %s', (_name, overrides, expected) => {
    const field = makeField('date', overrides);
    expect(codesOf(date.validateSettings(field, settingsContextFor(field)))).toEqual(expected);
  });

  describe('prepareValue', () => {
    it.each([
      ['2024-01-02 03:04:05.678Z', '2024-01-02 03:04:05.678Z'],
      ['2024-01-02T03:04:05Z', '2024-01-02 03:04:05.000Z'],
      ['2024-01-02T03:04:05.123456789Z', '2024-01-02 03:04:05.123Z'],
      ['2024-01-02T03:04:05+02:00', '2024-01-02 01:04:05.000Z'],
      ['2024-01-02T01:04:05-0130', '2024-01-02 02:34:05.000Z'],
      ['2024-01-02 03:04:05', '2024-01-02 03:04:05.000Z'],
      ['2024-01-02T03:04:05', '2024-01-02 03:04:05.000Z'],
      ['2024-01-02', '2024-01-02 00:00:00.000Z'],
      ['2024-02-29', '2024-02-29 00:00:00.000Z'],
      ['0099-01-01', '0099-01-01 00:00:00.000Z'],
      ['2023-02-29', ''],
      ['2024-01-02T24:00:00Z', ''],
      ['0001-01-01 00:00:00.000Z', ''],
      ['yesterday', ''],
      ['', ''],
      [1700000000, ''],
      [null, ''],
      [{}, ''],
    ])('%j → %j', (raw, expected) => {
      expect(date.prepareValue(makeField('date'), raw)).toBe(expected);
    });

    it('never throws on hostile input', () => {
      for (const raw of HOSTILE_INPUTS) {
        expect(typeof date.prepareValue(makeField('date'), raw)).toBe('string');
      }
    });
  });

  describe('validateValue', () => {
    const bounded = makeField('date', { min: '2024-01-01 00:00:00.000Z', max: '2024-12-31 00:00:00.500Z' });

    it.each([
      ['empty, not required', makeField('date'), '', null],
      ['empty, required', makeField('date', { required: true }), '', 'validation_required'],
      ['within bounds', bounded, '2024-06-01 00:00:00.000Z', null],
      ['at min', bounded, '2024-01-01 00:00:00.000Z', null],
      ['before min', bounded, '2023-12-31 23:59:59.999Z', 'validation_min_greater_equal_than_required'],
      ['after max', bounded, '2025-01-01 00:00:00.000Z', 'validation_max_less_equal_than_required'],
      ['not a string', makeField('date'), 5, 'validation_unsupported_value_type'],
    ])('%s', (_name, field, value, expected) => {
      expect(date.validateValue(field, value, CREATE)?.code ?? null).toBe(expected);
    });

    it("words bounds with Go's time formatting", () => {
      expect(date.validateValue(bounded, '2023-01-01 00:00:00.000Z', CREATE)).toEqual({
        code: 'validation_min_greater_equal_than_required',
        message: 'Must be no less than 2024-01-01 00:00:00 +0000 UTC.',
        params: { threshold: '2024-01-01T00:00:00Z' },
      });
      expect(date.validateValue(bounded, '2025-01-01 00:00:00.000Z', CREATE)).toEqual({
        code: 'validation_max_less_equal_than_required',
        message: 'Must be no greater than 2024-12-31 00:00:00.5 +0000 UTC.',
        params: { threshold: '2024-12-31T00:00:00.5Z' },
      });
    });
  });

  it('sends the stored string', () => {
    expect(date.toJson(makeField('date'), '2024-01-02 03:04:05.678Z')).toBe('2024-01-02 03:04:05.678Z');
    expect(date.toJson(makeField('date'), '')).toBe('');
    expect(date.toJson(makeField('date'), null)).toBe('');
  });
});
