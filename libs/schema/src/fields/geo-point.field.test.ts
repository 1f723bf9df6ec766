import { describe, expect, it } from 'vitest';
import { geoPointFieldDefinition as geoPoint } from './geo-point.field';
import { CREATE, codesOf, HOSTILE_INPUTS, makeField, settingsContextFor } from './testing/field-fixtures';

const field = makeField('geoPoint');

describe('geoPoint field', () => {
  it('defaults, options and column', () => {
    expect(geoPoint.defaults()).toEqual({ help: '', required: false });
    expect(geoPoint.normalizeOptions({ required: true })).toEqual({ help: '', required: true });
    expect(geoPoint.columnType(field)).toBe(`jsonb NOT NULL DEFAULT '{"lon":0,"lat":0}'`);
    expect(codesOf(geoPoint.validateSettings(field, settingsContextFor(field)))).toEqual({});
  });

  it.each([
    [
      { lon: 1.5, lat: -2 },
      { lon: 1.5, lat: -2 },
    ],
    [{ lat: 3 }, { lon: 0, lat: 3 }],
    ['{"lon":10,"lat":20}', { lon: 10, lat: 20 }],
    [
      { lon: '10', lat: 20 },
      { lon: 0, lat: 20 },
    ],
    [[10, 20], { lon: 0, lat: 0 }],
    ['garbage', { lon: 0, lat: 0 }],
    [null, { lon: 0, lat: 0 }],
  ])('prepares %j as %j', (raw, expected) => {
    expect(geoPoint.prepareValue(field, raw)).toEqual(expected);
  });

  it('never throws, and keeps lon before lat', () => {
    for (const raw of HOSTILE_INPUTS) {
      expect(Object.keys(geoPoint.prepareValue(field, raw) as object)).toEqual(['lon', 'lat']);
    }
  });

  it.each([
    ['null island, not required', {}, { lon: 0, lat: 0 }, null],
    ['null island, required', { required: true }, { lon: 0, lat: 0 }, 'validation_required'],
    ['valid', { required: true }, { lon: 180, lat: -90 }, null],
    ['latitude out of range', {}, { lon: 0, lat: 91 }, 'validation_invalid_latitude'],
    ['longitude out of range', {}, { lon: -181, lat: 0 }, 'validation_invalid_longitude'],
  ])('validateValue: %s', (_name, overrides, value, expected) => {
    expect(geoPoint.validateValue(makeField('geoPoint', overrides), value, CREATE)?.code ?? null).toBe(expected);
  });

  it('uses the PocketBase messages', () => {
    expect(geoPoint.validateValue(field, { lon: 0, lat: 100 }, CREATE)?.message).toBe(
      'Latitude must be between -90 and 90 degrees.',
    );
  });

  it('sends the object', () => {
    expect(JSON.stringify(geoPoint.toJson(field, { lat: 2, lon: 1 }))).toBe('{"lon":1,"lat":2}');
  });
});
