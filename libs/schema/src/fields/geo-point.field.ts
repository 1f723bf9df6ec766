import type { HelpfulField } from '../model/field.model';
import { type FieldDefinition, fieldError } from './field-definition';
import { collectErrors, requiredError, validateCommonSettings } from './field-errors.util';
import { readBoolean, readHelp } from './option-readers.util';
import { isPlainObject } from './value-cast.util';

/** A geoPoint value, keys in PocketBase's order. */
export interface GeoPoint {
  lon: number;
  lat: number;
}

export interface GeoPointField extends HelpfulField {
  type: 'geoPoint';
  required: boolean;
}

/**
 * `geoPoint`: `{lon, lat}` in `jsonb NOT NULL DEFAULT '{"lon":0,"lat":0}'`. (0, 0) — "Null
 * Island" — is the empty value.
 */
export const geoPointFieldDefinition: FieldDefinition<GeoPointField> = {
  type: 'geoPoint',

  defaults: () => ({ help: '', required: false }),

  normalizeOptions: (raw) => ({ help: readHelp(raw), required: readBoolean(raw, 'required', false) }),

  validateSettings: (field) => collectErrors(validateCommonSettings(field)),

  columnType: () => `jsonb NOT NULL DEFAULT '{"lon":0,"lat":0}'`,

  storageKind: () => 'geoPoint',

  prepareValue: (_field, raw) => toGeoPoint(raw),

  validateValue(field, value) {
    const { lon, lat } = toGeoPoint(value);
    if (lon === 0 && lat === 0) {
      return field.required ? requiredError() : null;
    }
    if (lat < -90 || lat > 90) {
      return fieldError('validation_invalid_latitude', 'Latitude must be between -90 and 90 degrees.');
    }
    if (lon < -180 || lon > 180) {
      return fieldError('validation_invalid_longitude', 'Longitude must be between -180 and 180 degrees.');
    }
    return null;
  },

  toJson: (_field, stored) => toGeoPoint(stored),
};

/**
 * PocketBase's GeoPoint.Scan: an object (or its JSON text) with numeric `lon`/`lat`; other
 * input, or a coordinate of another type, gives 0 for that coordinate.
 */
export function toGeoPoint(raw: unknown): GeoPoint {
  let value = raw;
  if (typeof raw === 'string' && raw !== '') {
    try {
      value = JSON.parse(raw);
    } catch {
      value = null;
    }
  }
  if (!isPlainObject(value)) {
    return { lon: 0, lat: 0 };
  }
  const coordinate = (item: unknown): number => (typeof item === 'number' && Number.isFinite(item) ? item : 0);
  return { lon: coordinate(value.lon), lat: coordinate(value.lat) };
}
