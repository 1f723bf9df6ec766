import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FIELD_TYPES } from '../model/field.model';
import { fieldToJson } from './field-json';
import { definitionOf, FIELD_DEFINITIONS } from './field-registry';
import { defaultFieldId, normalizeField } from './normalize-field';
import { makeField, settingsContextFor } from './testing/field-fixtures';

describe('FIELD_DEFINITIONS', () => {
  it('has one definition per field type, under its own name', () => {
    expect(Object.keys(FIELD_DEFINITIONS).sort()).toEqual([...FIELD_TYPES].sort());
    for (const type of FIELD_TYPES) {
      expect(FIELD_DEFINITIONS[type].type).toBe(type);
    }
  });

  it('definitionOf finds the definition of a field', () => {
    expect(definitionOf(makeField('relation')).type).toBe('relation');
  });
});

describe('normalizeField', () => {
  it('reads the common keys and the type options with defaults', () => {
    const result = normalizeField(
      { id: 'f1', name: 'title', type: 'text', system: true, hidden: 'no', presentable: true, max: 10, extra: 1 },
      new Set(),
    );
    expect(result).toEqual({
      ok: true,
      field: {
        id: 'f1',
        name: 'title',
        type: 'text',
        system: true,
        hidden: false,
        presentable: true,
        help: '',
        required: false,
        min: 0,
        max: 10,
        pattern: '',
        autogeneratePattern: '',
        primaryKey: false,
      },
    });
  });

  it('gives a field without id the PocketBase default id', () => {
    const result = normalizeField({ name: 'title', type: 'text' }, new Set());
    expect(result.ok && result.field.id).toBe(`text${crc32('title')}`);
    // known value: PocketBase's default id for the auth collection's email field
    expect(defaultFieldId('email', 'email', new Set())).toBe('email3885137012');
  });

  it('suffixes 2, 3, … on collisions', () => {
    const base = defaultFieldId('number', 'total', new Set());
    expect(defaultFieldId('number', 'total', new Set([base]))).toBe(`${base}2`);
    expect(defaultFieldId('number', 'total', new Set([base, `${base}2`]))).toBe(`${base}3`);
  });

  it('treats an empty id as missing', () => {
    const result = normalizeField({ id: '', name: 'x', type: 'bool' }, new Set());
    expect(result.ok && result.field.id).toBe(`bool${crc32('x')}`);
  });

  it.each([
    ['missing type', { name: 'x' }, { type: { code: 'validation_required', message: 'Cannot be blank.' } }],
    ['non-string type', { name: 'x', type: 5 }, { type: { code: 'validation_required', message: 'Cannot be blank.' } }],
    [
      'unknown type',
      { name: 'x', type: 'color' },
      { type: { code: 'validation_in_invalid', message: 'Must be a valid value.' } },
    ],
  ])('rejects %s', (_name, raw, errors) => {
    expect(normalizeField(raw, new Set())).toEqual({ ok: false, errors });
  });

  it.each([null, 'text', 5, [], [{ type: 'text' }]])('rejects the non-object %j', (raw) => {
    expect(normalizeField(raw, new Set())).toEqual({
      ok: false,
      errors: { code: 'validation_invalid_value', message: 'Invalid value.' },
    });
  });

  it('keeps a non-string name as "" for validateSettings to refuse', () => {
    const result = normalizeField({ name: 5, type: 'bool' }, new Set());
    expect(result.ok && result.field.name).toBe('');
  });

  it('round-trips every type through fieldToJson', () => {
    for (const type of FIELD_TYPES) {
      const field = makeField(type);
      const result = normalizeField(JSON.parse(JSON.stringify(fieldToJson(field))), new Set());
      expect(result).toEqual({ ok: true, field });
    }
  });
});

describe('fieldToJson', () => {
  it('sorts keys alphabetically, type included, like Go maps', () => {
    const json = fieldToJson(makeField('text', { id: 'text123', name: 'title' }));
    expect(Object.keys(json)).toEqual([
      'autogeneratePattern',
      'help',
      'hidden',
      'id',
      'max',
      'min',
      'name',
      'pattern',
      'presentable',
      'primaryKey',
      'required',
      'system',
      'type',
    ]);
    expect(JSON.stringify(fieldToJson(makeField('bool', { id: 'b1', name: 'ok' })))).toBe(
      '{"help":"","hidden":false,"id":"b1","name":"ok","presentable":false,"required":false,"system":false,"type":"bool"}',
    );
  });

  it('sends every option, null ones included', () => {
    expect(fieldToJson(makeField('number'))).toMatchObject({ min: null, max: null, onlyInt: false });
    expect(fieldToJson(makeField('password', { cost: 12 }))).toMatchObject({ cost: 12, pattern: '' });
  });

  it('fills options missing from a stored field with defaults and drops unknown keys', () => {
    const stored = { ...makeField('file'), stray: true } as Record<string, unknown>;
    delete stored.thumbs;
    const json = fieldToJson(stored as unknown as ReturnType<typeof makeField<'file'>>);
    expect(json.thumbs).toBeNull();
    expect(json).not.toHaveProperty('stray');
  });

  it('gives every type but autodate a help, "" for fields stored without one', () => {
    for (const type of FIELD_TYPES) {
      const stored = { ...makeField(type) } as Record<string, unknown>;
      delete stored.help;
      const json = fieldToJson(stored as unknown as ReturnType<typeof makeField>);
      if (type === 'autodate') expect(json).not.toHaveProperty('help');
      else expect(json.help).toBe('');
    }
    expect(fieldToJson(makeField('json', { help: 'Any JSON.' })).help).toBe('Any JSON.');
  });

  it('refuses a help longer than 300 characters, as PocketBase', () => {
    const context = settingsContextFor(makeField('bool'));
    const check = (help: string) =>
      definitionOf(makeField('bool', { help })).validateSettings(makeField('bool', { help }) as never, context);
    expect(check('é'.repeat(300))).toEqual({});
    expect(check('a'.repeat(301))).toEqual({
      help: {
        code: 'validation_length_out_of_range',
        message: 'The length must be between 1 and 300.',
        params: { min: 1, max: 300 },
      },
    });
  });
});
