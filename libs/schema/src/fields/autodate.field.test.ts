import { describe, expect, it } from 'vitest';
import { autodateFieldDefinition as autodate } from './autodate.field';
import {
  CREATE,
  codesOf,
  HOSTILE_INPUTS,
  makeCollection,
  makeField,
  makeLookup,
  settingsContextFor,
} from './testing/field-fixtures';

describe('autodate field', () => {
  it('defaults, options and column', () => {
    expect(autodate.defaults()).toEqual({ onCreate: false, onUpdate: false });
    expect(autodate.normalizeOptions({ onCreate: true })).toEqual({ onCreate: true, onUpdate: false });
    expect(autodate.columnType(makeField('autodate'))).toBe("text NOT NULL DEFAULT ''");
  });

  it.each([
    [{ onCreate: true }, {}],
    [{ onUpdate: true }, {}],
    [{ onCreate: true, onUpdate: true }, {}],
    [{}, { onCreate: 'validation_required', onUpdate: 'validation_required' }],
  ])('needs at least one trigger: %j', (overrides, expected) => {
    const field = makeField('autodate', overrides);
    expect(codesOf(autodate.validateSettings(field, settingsContextFor(field)))).toEqual(expected);
  });

  it('says which triggers are missing', () => {
    const field = makeField('autodate');
    expect(autodate.validateSettings(field, settingsContextFor(field)).onCreate).toEqual({
      code: 'validation_required',
      message: 'Either onCreate or onUpdate must be enabled.',
    });
  });

  it('keeps the triggers of a saved system autodate', () => {
    const saved = makeField('autodate', { id: 'autodate_created', system: true, onCreate: true });
    const changed = { ...saved, onCreate: false, onUpdate: true };
    const collection = makeCollection([changed]);
    const context = { collection, lookup: makeLookup([makeCollection([saved])]) };
    expect(codesOf(autodate.validateSettings(changed, context))).toEqual({
      onCreate: 'validation_values_mismatch',
      onUpdate: 'validation_values_mismatch',
    });
    // a non-system autodate may change
    const userChanged = { ...changed, system: false };
    expect(autodate.validateSettings(userChanged, { ...context, collection: makeCollection([userChanged]) })).toEqual(
      {},
    );
  });

  it('prepares dates like the date field and never throws', () => {
    expect(autodate.prepareValue(makeField('autodate'), '2024-01-02T03:04:05Z')).toBe('2024-01-02 03:04:05.000Z');
    for (const raw of HOSTILE_INPUTS) {
      expect(typeof autodate.prepareValue(makeField('autodate'), raw)).toBe('string');
    }
  });

  it('has nothing to validate and sends the string', () => {
    expect(autodate.validateValue(makeField('autodate'), 'whatever', CREATE)).toBeNull();
    expect(autodate.toJson(makeField('autodate'), '2024-01-02 03:04:05.000Z')).toBe('2024-01-02 03:04:05.000Z');
    expect(autodate.toJson(makeField('autodate'), null)).toBe('');
  });
});
