import { describe, expect, it } from 'vitest';
import { relationFieldDefinition as relation } from './relation.field';
import { CREATE, codesOf, HOSTILE_INPUTS, makeCollection, makeField, makeLookup } from './testing/field-fixtures';

const users = makeCollection([], { id: 'pbc_users', name: 'users' });
const report = makeCollection([], { id: 'pbc_report', name: 'report', type: 'base' });
const view = { ...makeCollection([], { id: 'pbc_view', name: 'stats' }), type: 'view' as const, viewQuery: 'select 1' };

function settings(overrides: Parameters<typeof makeField<'relation'>>[1], collectionType: 'base' | 'view' = 'base') {
  const field = makeField('relation', { collectionId: 'pbc_users', ...overrides });
  const collection =
    collectionType === 'view'
      ? { ...makeCollection([field]), type: 'view' as const, viewQuery: 'select 1' }
      : makeCollection([field]);
  return codesOf(relation.validateSettings(field, { collection, lookup: makeLookup([users, report, view]) }));
}

describe('relation field', () => {
  it('defaults and options', () => {
    expect(relation.defaults()).toEqual({
      help: '',
      required: false,
      collectionId: '',
      cascadeDelete: false,
      minSelect: 0,
      maxSelect: 0,
    });
    expect(relation.normalizeOptions({ collectionId: 'x', cascadeDelete: true, minSelect: 1, maxSelect: 3 })).toEqual({
      help: '',
      required: false,
      collectionId: 'x',
      cascadeDelete: true,
      minSelect: 1,
      maxSelect: 3,
    });
  });

  it('is single or multiple by maxSelect', () => {
    expect(relation.columnType(makeField('relation'))).toBe("text NOT NULL DEFAULT ''");
    expect(relation.columnType(makeField('relation', { maxSelect: 5 }))).toBe("text[] NOT NULL DEFAULT '{}'");
  });

  describe('validateSettings', () => {
    it.each([
      ['valid', {}, {}],
      ['valid with bounds', { minSelect: 1, maxSelect: 3 }, {}],
      ['self relation', { collectionId: 'pbc_test' }, {}],
      ['missing collectionId', { collectionId: '' }, { collectionId: 'validation_required' }],
      [
        'unknown collection',
        { collectionId: 'pbc_nope' },
        { collectionId: 'validation_field_relation_missing_collection' },
      ],
      [
        'collection by name',
        { collectionId: 'users' },
        { collectionId: 'validation_field_relation_missing_collection' },
      ],
      [
        'base pointing at a view',
        { collectionId: 'pbc_view' },
        { collectionId: 'validation_relation_field_non_view_base_collection' },
      ],
      ['negative minSelect', { minSelect: -1 }, { minSelect: 'validation_min_greater_equal_than_required' }],
      ['minSelect without maxSelect', { minSelect: 2 }, { maxSelect: 'validation_required' }],
      [
        'maxSelect < minSelect',
        { minSelect: 3, maxSelect: 2 },
        { maxSelect: 'validation_min_greater_equal_than_required' },
      ],
    ])('%s', (_name, overrides, expected) => {
      expect(settings(overrides)).toEqual(expected);
    });

    it('lets a view point at a view', () => {
      expect(settings({ collectionId: 'pbc_view' }, 'view')).toEqual({});
    });

    it('refuses to change the target of a saved relation', () => {
      const saved = makeField('relation', { id: 'rel1', collectionId: 'pbc_users' });
      const changed = { ...saved, collectionId: 'pbc_report' };
      const lookup = makeLookup([makeCollection([saved]), users, report]);
      expect(codesOf(relation.validateSettings(changed, { collection: makeCollection([changed]), lookup }))).toEqual({
        collectionId: 'validation_field_relation_change',
      });
    });
  });

  it('prepares ids like select and never throws', () => {
    const single = makeField('relation');
    const multi = makeField('relation', { maxSelect: 3 });
    expect(relation.prepareValue(single, ['a', 'b'])).toBe('b');
    expect(relation.prepareValue(multi, 'a')).toEqual(['a']);
    expect(relation.prepareValue(multi, ['a', 'a', 'b'])).toEqual(['a', 'b']);
    for (const raw of HOSTILE_INPUTS) {
      expect(typeof relation.prepareValue(single, raw)).toBe('string');
      expect(Array.isArray(relation.prepareValue(multi, raw))).toBe(true);
    }
  });

  it.each([
    ['empty, not required', {}, '', null],
    ['empty, required', { required: true }, '', 'validation_required'],
    ['fewer than minSelect', { minSelect: 2, maxSelect: 3 }, ['a'], 'validation_not_enough_values'],
    ['more than maxSelect', { maxSelect: 2 }, ['a', 'b', 'c'], 'validation_too_many_values'],
    ['within bounds', { minSelect: 2, maxSelect: 3 }, ['a', 'b'], null],
  ])('validateValue: %s', (_name, overrides, value, expected) => {
    expect(relation.validateValue(makeField('relation', overrides), value, CREATE)?.code ?? null).toBe(expected);
  });

  it('words minSelect like PocketBase', () => {
    expect(relation.validateValue(makeField('relation', { minSelect: 2, maxSelect: 3 }), ['a'], CREATE)).toEqual({
      code: 'validation_not_enough_values',
      message: 'Select at least 2.',
      params: { minSelect: 2 },
    });
  });

  it('sends a string or a list', () => {
    expect(relation.toJson(makeField('relation'), 'abc')).toBe('abc');
    expect(relation.toJson(makeField('relation', { maxSelect: 2 }), ['a'])).toEqual(['a']);
    expect(relation.toJson(makeField('relation', { maxSelect: 2 }), [])).toEqual([]);
  });
});
