import { describe, expect, it } from 'vitest';
import { makeField } from '../collection/make-field';
import { FIELD_TYPES, type Field, type StorageKind } from '../model/field.model';
import { definitionOf, isListField, isMultiValue, storageKindOf } from './field-registry';

// The column type a storage kind promises (docs/schema-storage.md), as each type's columnType starts.
const COLUMN_OF: Record<StorageKind, RegExp> = {
  text: /^text NOT NULL/,
  number: /^double precision /,
  bool: /^boolean /,
  textList: /^text\[\] /,
  json: /^jsonb$/,
  geoPoint: /^jsonb NOT NULL/,
};

const variants = (type: (typeof FIELD_TYPES)[number]): Field[] => {
  const one = makeField(type, `f_${type}`);
  // List-capable types store a list from maxSelect 2 up.
  return 'maxSelect' in one ? [one, { ...one, maxSelect: 2 } as Field] : [one];
};

describe('field registry', () => {
  it.each(
    FIELD_TYPES.flatMap(variants).map(
      (field) => [`${field.type}${'maxSelect' in field ? ` maxSelect ${field.maxSelect}` : ''}`, field] as const,
    ),
  )('answers storage kind and multi-value of %s from its definition, matching its column', (_name, field) => {
    const kind = storageKindOf(field);
    expect(definitionOf(field).columnType(field as never)).toMatch(COLUMN_OF[kind]);
    expect(isMultiValue(field)).toBe(kind === 'textList');
    if (isMultiValue(field)) expect(isListField(field)).toBe(true);
  });

  it('lets exactly select, relation and file take :each and :length', () => {
    const listable = FIELD_TYPES.filter((type) => isListField(makeField(type, 'x')));
    expect(listable.sort()).toEqual(['file', 'relation', 'select']);
  });
});
