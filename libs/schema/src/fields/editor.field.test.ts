import { describe, expect, it } from 'vitest';
import { EDITOR_DEFAULT_MAX_SIZE, editorFieldDefinition as editor } from './editor.field';
import { CREATE, codesOf, HOSTILE_INPUTS, makeField, settingsContextFor } from './testing/field-fixtures';

describe('editor field', () => {
  it('defaults, options and column', () => {
    expect(editor.defaults()).toEqual({ help: '', required: false, maxSize: 0, convertURLs: false });
    expect(editor.normalizeOptions({ maxSize: 100, convertURLs: true })).toEqual({
      help: '',
      required: false,
      maxSize: 100,
      convertURLs: true,
    });
    expect(editor.columnType(makeField('editor'))).toBe("text NOT NULL DEFAULT ''");
  });

  it.each([
    [{ maxSize: 0 }, {}],
    [{ maxSize: 10 }, {}],
    [{ maxSize: -1 }, { maxSize: 'validation_min_greater_equal_than_required' }],
    [{ maxSize: 2 ** 53 }, { maxSize: 'validation_max_less_equal_than_required' }],
  ])('validates settings %j', (overrides, expected) => {
    const field = makeField('editor', overrides);
    expect(codesOf(editor.validateSettings(field, settingsContextFor(field)))).toEqual(expected);
  });

  it('never throws on hostile input', () => {
    for (const raw of HOSTILE_INPUTS) {
      expect(typeof editor.prepareValue(makeField('editor'), raw)).toBe('string');
    }
  });

  it('checks required and size in UTF-8 bytes', () => {
    expect(editor.validateValue(makeField('editor', { required: true }), '', CREATE)?.code).toBe('validation_required');
    expect(editor.validateValue(makeField('editor', { maxSize: 4 }), 'ab', CREATE)).toBeNull();
    expect(editor.validateValue(makeField('editor', { maxSize: 4 }), 'жжж', CREATE)).toEqual({
      code: 'validation_content_size_limit',
      message: 'The maximum allowed content size is 4 bytes.',
      params: { maxSize: 4 },
    });
    expect(editor.validateValue(makeField('editor'), 'a'.repeat(EDITOR_DEFAULT_MAX_SIZE), CREATE)).toBeNull();
    expect(editor.validateValue(makeField('editor'), 'a'.repeat(EDITOR_DEFAULT_MAX_SIZE + 1), CREATE)?.code).toBe(
      'validation_content_size_limit',
    );
  });

  it('sends the string', () => {
    expect(editor.toJson(makeField('editor'), '<p>x</p>')).toBe('<p>x</p>');
  });
});
