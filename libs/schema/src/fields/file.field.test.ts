import { describe, expect, it } from 'vitest';
import { fileFieldDefinition as file } from './file.field';
import { CREATE, codesOf, HOSTILE_INPUTS, makeField, settingsContextFor } from './testing/field-fixtures';

describe('file field', () => {
  it('defaults and options', () => {
    expect(file.defaults()).toEqual({
      help: '',
      required: false,
      maxSize: 0,
      maxSelect: 0,
      mimeTypes: null,
      thumbs: null,
      protected: false,
    });
    expect(
      file.normalizeOptions({ maxSize: 10, maxSelect: 2, mimeTypes: ['image/png'], thumbs: null, protected: true }),
    ).toEqual({
      help: '',
      required: false,
      maxSize: 10,
      maxSelect: 2,
      mimeTypes: ['image/png'],
      thumbs: null,
      protected: true,
    });
  });

  it('is single or multiple by maxSelect', () => {
    expect(file.columnType(makeField('file'))).toBe("text NOT NULL DEFAULT ''");
    expect(file.columnType(makeField('file', { maxSelect: 99 }))).toBe("text[] NOT NULL DEFAULT '{}'");
  });

  it.each([
    ['defaults', {}, {}],
    ['valid thumbs', { thumbs: ['100x100', '100x300t', '100x300b', '100x300f', '0x300', '100x0'] }, {}],
    [
      'invalid thumbs',
      { thumbs: ['100x100', '0x0', '100', 'axb', '100x100x'] },
      {
        thumbs: {
          '1': 'validation_not_in_invalid',
          '2': 'validation_match_invalid',
          '3': 'validation_match_invalid',
          '4': 'validation_match_invalid',
        },
      },
    ],
    ['negative maxSelect', { maxSelect: -1 }, { maxSelect: 'validation_min_greater_equal_than_required' }],
    ['negative maxSize', { maxSize: -1 }, { maxSize: 'validation_min_greater_equal_than_required' }],
    ['maxSize over 2^53-1', { maxSize: 2 ** 53 }, { maxSize: 'validation_max_less_equal_than_required' }],
  ])('validates settings: %s', (_name, overrides, expected) => {
    const field = makeField('file', overrides);
    expect(codesOf(file.validateSettings(field, settingsContextFor(field)))).toEqual(expected);
  });

  it('prepares file names like select and never throws', () => {
    const single = makeField('file');
    const multi = makeField('file', { maxSelect: 3 });
    expect(file.prepareValue(single, ['a.png', 'b.png'])).toBe('b.png');
    expect(file.prepareValue(multi, 'a.png')).toEqual(['a.png']);
    for (const raw of HOSTILE_INPUTS) {
      expect(typeof file.prepareValue(single, raw)).toBe('string');
      expect(Array.isArray(file.prepareValue(multi, raw))).toBe(true);
    }
  });

  it.each([
    ['empty, not required', {}, '', null],
    ['empty, required', { required: true }, [], 'validation_required'],
    ['one file', {}, 'a.png', null],
    ['too many', { maxSelect: 2 }, ['a', 'b', 'c'], 'validation_too_many_files'],
  ])('validateValue: %s', (_name, overrides, value, expected) => {
    expect(file.validateValue(makeField('file', overrides), value, CREATE)?.code ?? null).toBe(expected);
  });

  it('words the file limit like PocketBase', () => {
    expect(file.validateValue(makeField('file', { maxSelect: 2 }), ['a', 'b', 'c'], CREATE)).toEqual({
      code: 'validation_too_many_files',
      message: 'The maximum allowed files is 2.',
      params: { maxSelect: 2 },
    });
  });

  it('sends a string or a list', () => {
    expect(file.toJson(makeField('file'), 'a.png')).toBe('a.png');
    expect(file.toJson(makeField('file', { maxSelect: 2 }), [])).toEqual([]);
  });
});
