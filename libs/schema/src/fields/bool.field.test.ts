import { describe, expect, it } from 'vitest';
import { boolFieldDefinition as bool } from './bool.field';
import { CREATE, codesOf, HOSTILE_INPUTS, makeField, settingsContextFor } from './testing/field-fixtures';

describe('bool field', () => {
  it('defaults, options and column', () => {
    expect(bool.defaults()).toEqual({ help: '', required: false });
    expect(bool.normalizeOptions({ required: true })).toEqual({ help: '', required: true });
    expect(bool.normalizeOptions({ required: 1 })).toEqual({ help: '', required: false });
    expect(bool.columnType(makeField('bool'))).toBe('boolean NOT NULL DEFAULT false');
  });

  it('validates only id and name', () => {
    const field = makeField('bool', { name: 'true' });
    expect(codesOf(bool.validateSettings(field, settingsContextFor(field)))).toEqual({
      name: 'validation_not_in_invalid',
    });
  });

  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['1', true],
    ['t', true],
    ['TRUE', true],
    ['True', true],
    ['on', false],
    ['yes', false],
    ['false', false],
    ['0', false],
    [1, true],
    [0, false],
    [-2.5, true],
    [null, false],
    [{}, false],
    [[true], false],
  ])('prepares %j as %j like cast.ToBool', (raw, expected) => {
    expect(bool.prepareValue(makeField('bool'), raw)).toBe(expected);
  });

  it('never throws on hostile input', () => {
    for (const raw of HOSTILE_INPUTS) {
      expect(typeof bool.prepareValue(makeField('bool'), raw)).toBe('boolean');
    }
  });

  it('requires true when required', () => {
    expect(bool.validateValue(makeField('bool', { required: true }), false, CREATE)?.code).toBe('validation_required');
    expect(bool.validateValue(makeField('bool', { required: true }), true, CREATE)).toBeNull();
    expect(bool.validateValue(makeField('bool'), false, CREATE)).toBeNull();
    expect(bool.validateValue(makeField('bool'), 'true', CREATE)?.code).toBe('validation_unsupported_value_type');
  });

  it('sends booleans', () => {
    expect(bool.toJson(makeField('bool'), true)).toBe(true);
    expect(bool.toJson(makeField('bool'), null)).toBe(false);
  });
});
