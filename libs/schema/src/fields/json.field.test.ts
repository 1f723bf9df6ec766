import { describe, expect, it } from 'vitest';
import { jsonFieldDefinition as json, jsonColumnValue } from './json.field';
import { CREATE, codesOf, HOSTILE_INPUTS, makeField, settingsContextFor } from './testing/field-fixtures';

const field = makeField('json');

describe('json field', () => {
  it('defaults, options and a nullable jsonb column', () => {
    expect(json.defaults()).toEqual({ help: '', required: false, maxSize: 0 });
    expect(json.normalizeOptions({ maxSize: 10, required: true })).toEqual({ help: '', required: true, maxSize: 10 });
    expect(json.columnType(field)).toBe('jsonb');
  });

  it.each([
    [{ maxSize: 0 }, {}],
    [{ maxSize: -1 }, { maxSize: 'validation_min_greater_equal_than_required' }],
  ])('validates settings %j', (overrides, expected) => {
    const f = makeField('json', overrides);
    expect(codesOf(json.validateSettings(f, settingsContextFor(f)))).toEqual(expected);
  });

  describe('prepareValue', () => {
    it.each([
      [
        { a: 1, b: [true, null] },
        { a: 1, b: [true, null] },
      ],
      [
        [1, 2],
        [1, 2],
      ],
      [5, 5],
      [true, true],
      [null, null],
      [undefined, null],
      // strings from multipart forms, PocketBase's rules
      ['', ''],
      ['null', null],
      ['true', true],
      ['false', false],
      ['123', 123],
      ['-1.5', -1.5],
      ['[1,2,3]', [1, 2, 3]],
      ['{"a":1}', { a: 1 }],
      ['"quoted"', 'quoted'],
      ['plain text', 'plain text'],
      ['{broken', '{broken'],
      ['-', '-'],
      ['a\u0000b', 'ab'],
      [{ 'k\u0000': 'v\u0000' }, { k: 'v' }],
      [Number.NaN, null],
    ])('%j → %j', (raw, expected) => {
      expect(json.prepareValue(field, raw)).toEqual(expected);
    });

    it('keeps "__proto__" as a plain key', () => {
      const prepared = json.prepareValue(field, JSON.parse('{"__proto__":{"polluted":1}}')) as Record<string, unknown>;
      expect(Object.keys(prepared)).toEqual(['__proto__']);
      expect(Object.getPrototypeOf(prepared)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('never throws and always gives JSON-serialisable values', () => {
      for (const raw of HOSTILE_INPUTS) {
        expect(() => JSON.stringify(json.prepareValue(field, raw))).not.toThrow();
      }
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(() => JSON.stringify(json.prepareValue(field, cyclic))).not.toThrow();
    });
  });

  describe('validateValue', () => {
    it.each([
      ['null, not required', {}, null, null],
      ['null, required', { required: true }, null, 'validation_required'],
      ['empty string, required', { required: true }, '', 'validation_required'],
      ['empty array, required', { required: true }, [], 'validation_required'],
      ['empty object, required', { required: true }, {}, 'validation_required'],
      ['zero, required', { required: true }, 0, null],
      ['false, required', { required: true }, false, null],
      ['over maxSize', { maxSize: 5 }, { a: 'bc' }, 'validation_json_size_limit'],
      ['at maxSize', { maxSize: 5 }, [1, 2], null],
    ])('%s', (_name, overrides, value, expected) => {
      expect(json.validateValue(makeField('json', overrides), value, CREATE)?.code ?? null).toBe(expected);
    });

    it("applies PocketBase's 1 MiB default limit with its wording", () => {
      expect(json.validateValue(field, 'a'.repeat(1024 * 1024 - 2), CREATE)).toBeNull();
      expect(json.validateValue(field, 'a'.repeat(1024 * 1024 - 1), CREATE)).toEqual({
        code: 'validation_json_size_limit',
        message: 'The maximum allowed JSON size is 1048576 bytes.',
        params: { maxSize: 1048576 },
      });
    });
  });

  it.each([
    [[1, 'a', null], '[1,"a",null]'],
    ['text', '"text"'],
    [3.5, '3.5'],
    [false, 'false'],
    [{ a: { b: [] } }, '{"a":{"b":[]}}'],
    [null, null],
  ])('binds %j to its jsonb column as JSON text', (value, bound) => {
    expect(jsonColumnValue(value)).toBe(bound);
  });

  it('sends the raw JSON value, null when unset', () => {
    expect(json.toJson(field, { a: [1] })).toEqual({ a: [1] });
    expect(json.toJson(field, null)).toBeNull();
    expect(json.toJson(field, undefined)).toBeNull();
    expect(json.toJson(field, 'x')).toBe('x');
  });
});
