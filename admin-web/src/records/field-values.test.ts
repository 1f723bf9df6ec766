import type { CollectionModel, RecordModel } from 'pocketbase';
import { describe, expect, it } from 'vitest';
import { fromPickerValue, recordLabel, searchableFields, toFileValue, toPickerValue } from './field-values';

const collection = (fields: Record<string, unknown>[]) =>
  ({ id: 'c1', name: 'people', fields }) as unknown as CollectionModel;
const record = (data: Record<string, unknown>) =>
  ({ id: 'r1', collectionId: 'c1', collectionName: 'people', ...data }) as RecordModel;

describe('date picker values', () => {
  it('turns a stored date into the picker value and back (UTC, seconds kept)', () => {
    expect(toPickerValue('2024-05-06 07:08:09.123Z')).toBe('2024-05-06T07:08:09');
    expect(fromPickerValue('2024-05-06T07:08:09')).toBe('2024-05-06 07:08:09.000Z');
  });

  it('fills in the seconds a picker without them leaves out', () => {
    expect(fromPickerValue('2024-05-06T07:08')).toBe('2024-05-06 07:08:00.000Z');
  });

  it('gives empty for an empty or unreadable value', () => {
    expect(toPickerValue('')).toBe('');
    expect(toPickerValue('yesterday')).toBe('');
    expect(fromPickerValue('')).toBe('');
  });
});

describe('recordLabel', () => {
  const fields = [
    { name: 'name', type: 'text', presentable: true },
    { name: 'city', type: 'text', presentable: true },
    { name: 'email', type: 'email' },
  ];

  it('joins the presentable fields that have a value, with the id', () => {
    expect(recordLabel(collection(fields), record({ name: 'Ada', city: 'London' }))).toBe('Ada · London (r1)');
    expect(recordLabel(collection(fields), record({ name: 'Ada', city: '' }))).toBe('Ada (r1)');
  });

  it('falls back to the email, then to the id alone', () => {
    expect(recordLabel(collection(fields), record({ email: 'ada@example.com' }))).toBe('ada@example.com (r1)');
    expect(recordLabel(collection(fields), record({}))).toBe('r1');
    expect(recordLabel(undefined, record({ name: 'Ada' }))).toBe('r1');
  });

  it('writes object values as JSON', () => {
    const geo = collection([{ name: 'where', type: 'geoPoint', presentable: true }]);
    expect(recordLabel(geo, record({ where: { lon: 1, lat: 2 } }))).toBe('{"lon":1,"lat":2} (r1)');
  });
});

describe('searchableFields', () => {
  it('lists visible text, email and url fields, not the id nor hidden ones', () => {
    const fields = [
      { name: 'id', type: 'text' },
      { name: 'title', type: 'text' },
      { name: 'secret', type: 'text', hidden: true },
      { name: 'email', type: 'email' },
      { name: 'site', type: 'url' },
      { name: 'count', type: 'number' },
    ];
    expect(searchableFields(collection(fields))).toEqual(['title', 'email', 'site']);
  });
});

describe('toFileValue', () => {
  it('keeps the stored names of a single or multiple file field', () => {
    expect(toFileValue('a.png')).toEqual({ kept: ['a.png'], removed: [], upload: [] });
    expect(toFileValue(['a.png', '', 'b.txt'])).toEqual({ kept: ['a.png', 'b.txt'], removed: [], upload: [] });
    expect(toFileValue('')).toEqual({ kept: [], removed: [], upload: [] });
  });

  it('passes an editor state through', () => {
    const state = { kept: [], removed: ['a.png'], upload: [] };
    expect(toFileValue(state)).toBe(state);
  });
});
