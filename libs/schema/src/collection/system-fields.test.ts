import { describe, expect, it } from 'vitest';
import type { AuthCollection } from '../model/collection.model';
import { normalizeCollection } from './normalize-collection';
import { ensureSystemFields } from './system-fields';

const requiredOf = (collection: AuthCollection) =>
  Object.fromEntries(
    ensureSystemFields(collection).map((field) => [field.name, 'required' in field ? field.required : undefined]),
  );

describe('ensureSystemFields', () => {
  it('keeps the bool system fields optional on every save (a required bool would have to be true)', () => {
    const { collection } = normalizeCollection({ name: 'members', type: 'auth' });
    const resaved = { ...collection, fields: ensureSystemFields(collection) } as AuthCollection;
    const required = requiredOf(resaved);
    expect(required.emailVisibility).toBe(false);
    expect(required.verified).toBe(false);
    expect(required.email).toBe(true);
    expect(required.password).toBe(true);
  });

  it('gives a present system field its flags back', () => {
    const { collection } = normalizeCollection({ name: 'members', type: 'auth' });
    const tampered = {
      ...collection,
      fields: collection.fields.map((field) =>
        field.name === 'tokenKey' ? { ...field, hidden: false, system: false } : field,
      ),
    } as AuthCollection;
    const tokenKey = ensureSystemFields(tampered).find((field) => field.name === 'tokenKey');
    expect(tokenKey).toMatchObject({ system: true, hidden: true, required: true });
  });
});
