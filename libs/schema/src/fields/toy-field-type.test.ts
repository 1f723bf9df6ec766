import type { FieldError } from '@hivebase/contracts';
import { describe, expect, it } from 'vitest';
import type { HelpfulField } from '../model/field.model';
import { type FieldDefinition, fieldError } from './field-definition';
import { collectErrors, requiredError, validateCommonSettings } from './field-errors.util';
import { defineFieldRegistry, FIELD_DEFINITIONS, fieldRegistryOps, type RegistryField } from './field-registry';
import { normalizeFieldWith } from './normalize-field';
import { readBoolean, readHelp, readInteger } from './option-readers.util';

// A toy field type, written the way a real one is: its interface and its definition in one place
// (here: this test file), and one registry line below. Nothing else in libs/schema is edited.

interface RatingField extends HelpfulField {
  type: 'rating';
  required: boolean;
  /** The highest rating; 0 = 5. */
  stars: number;
}

const ratingFieldDefinition: FieldDefinition<RatingField> = {
  type: 'rating',
  defaults: () => ({ help: '', required: false, stars: 5 }),
  normalizeOptions: (raw) => ({
    help: readHelp(raw),
    required: readBoolean(raw, 'required', false),
    stars: readInteger(raw, 'stars', 5),
  }),
  validateSettings: (field) =>
    collectErrors({
      ...validateCommonSettings(field),
      stars: field.stars < 1 || field.stars > 10 ? fieldError('validation_stars', 'Between 1 and 10 stars.') : null,
    }),
  columnType: () => 'smallint NOT NULL DEFAULT 0',
  storageKind: () => 'number',
  prepareValue: (_field, raw) => (typeof raw === 'number' ? Math.round(raw) : Number.parseInt(String(raw), 10) || 0),
  validateValue(field, value): FieldError | null {
    if (typeof value !== 'number') return fieldError('validation_invalid_value', 'Invalid value.');
    if (value === 0) return field.required ? requiredError() : null;
    return value < 0 || value > field.stars ? fieldError('validation_out_of_range', 'Out of range.') : null;
  },
  toJson: (_field, stored) => Number(stored),
};

// The one registry line.
const registry = defineFieldRegistry({ ...FIELD_DEFINITIONS, rating: ratingFieldDefinition });
const ops = fieldRegistryOps(registry);
type ToyField = RegistryField<typeof registry>;

describe('a toy field type: one new file and one registry line', () => {
  it('is a registered type next to the built-in ones', () => {
    expect(ops.types).toEqual([...Object.keys(FIELD_DEFINITIONS), 'rating']);
    expect(ops.isFieldType('rating')).toBe(true);
    expect(ops.isFieldType('stars')).toBe(false);
    // A key that is not its definition's type does not compile.
    // @ts-expect-error the key must be the definition's type
    expect(Object.keys(defineFieldRegistry({ stars: ratingFieldDefinition }))).toEqual(['stars']);
  });

  it('creates: a submitted field is normalized through the definition, with its defaults', () => {
    const result = normalizeFieldWith(registry, { type: 'rating', name: 'score', required: 'yes' }, new Set());
    expect(result).toEqual({
      ok: true,
      field: {
        id: expect.stringMatching(/^rating\d+$/),
        name: 'score',
        type: 'rating',
        system: false,
        hidden: false,
        presentable: false,
        help: '',
        required: false,
        stars: 5,
      },
    });
    // An unknown type is still refused as before.
    expect(normalizeFieldWith(registry, { type: 'stars', name: 'x' }, new Set())).toEqual({
      ok: false,
      errors: { type: expect.objectContaining({ code: 'validation_in_invalid' }) },
    });
  });

  it('validates settings and values through the definition', () => {
    const created = normalizeFieldWith(registry, { type: 'rating', name: 'score', stars: 11 }, new Set());
    if (!created.ok) throw new Error('not created');
    const field: ToyField = created.field;
    const definition = ops.definitionOf(field);
    expect(definition.validateSettings(field, {} as never)).toEqual({
      stars: { code: 'validation_stars', message: 'Between 1 and 10 stars.' },
    });
    const rating = { ...field, stars: 3, required: true } as RatingField;
    expect(ratingFieldDefinition.validateSettings(rating, {} as never)).toEqual({});
    const prepared = ops.definitionOf(rating).prepareValue(rating, '2');
    expect(prepared).toBe(2);
    expect(ratingFieldDefinition.validateValue(rating, prepared, { isNew: true })).toBeNull();
    expect(ratingFieldDefinition.validateValue(rating, 4, { isNew: true })?.code).toBe('validation_out_of_range');
    expect(ratingFieldDefinition.validateValue(rating, 0, { isNew: true })?.code).toBe('validation_required');
  });

  it('stores as its definition says, and the built-in types are unchanged', () => {
    const rating = normalizeFieldWith(registry, { type: 'rating', name: 'score' }, new Set());
    const text = normalizeFieldWith(registry, { type: 'text', name: 'title' }, new Set());
    if (!rating.ok || !text.ok) throw new Error('not created');
    expect(ops.storageKindOf(rating.field)).toBe('number');
    expect(ops.isMultiValue(rating.field)).toBe(false);
    expect(ops.isListField(rating.field)).toBe(false);
    expect(ops.definitionOf(rating.field).columnType(rating.field)).toBe('smallint NOT NULL DEFAULT 0');
    expect(ops.storageKindOf(text.field)).toBe('text');
    expect(ops.definitionOf(text.field).columnType(text.field)).toBe("text NOT NULL DEFAULT ''");
  });
});
