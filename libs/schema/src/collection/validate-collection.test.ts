import { describe, expect, it } from 'vitest';
import { makeLookup } from '../testing/collection.fixture';
import { normalizeCollection } from './normalize-collection';
import { validateCollection } from './validate-collection';

/** A new auth collection `members` with `oauth2` as submitted, validated as the collections API does. */
function validateMembers(oauth2: unknown) {
  const { collection, errors } = normalizeCollection({ name: 'members', type: 'auth', oauth2 });
  expect(errors).toEqual({});
  return validateCollection(collection, { lookup: makeLookup([collection]) });
}

const client = { clientId: 'id', clientSecret: 'secret' };
const required = { code: 'validation_required', message: 'Cannot be blank.' };
const badUrl = { code: 'validation_is_url', message: 'Must be a valid URL.' };

describe('validateCollection: oauth2 (PocketBase OAuth2Config.Validate)', () => {
  it('accepts known providers with their client, with or without URL overrides', () => {
    expect(
      validateMembers({
        enabled: true,
        providers: [
          { name: 'google', ...client },
          { name: 'oidc2', ...client, authURL: 'https://sso.example.com/auth', tokenURL: 'http://localhost:9000/t' },
          { name: 'microsoft', ...client, userInfoURL: '', pkce: false, extra: null },
        ],
      }),
    ).toEqual({});
  });

  it('refuses an unknown name with validation_missing_provider at oauth2.providers.N.name', () => {
    expect(
      validateMembers({
        enabled: true,
        providers: [
          { name: 'google', ...client },
          { name: 'x', ...client },
        ],
      }),
    ).toEqual({
      oauth2: {
        providers: {
          1: {
            name: {
              code: 'validation_missing_provider',
              message: 'Invalid or missing provider with name x.',
              params: { name: 'x' },
            },
          },
        },
      },
    });
  });

  it('reports every failing key of every provider', () => {
    expect(
      validateMembers({
        enabled: true,
        providers: [
          { name: '' },
          { name: 'gitlab', clientId: 'id', authURL: 'gitlab', tokenURL: 'https://ok.example' },
        ],
      }),
    ).toEqual({
      oauth2: {
        providers: {
          0: { name: required, clientId: required, clientSecret: required },
          1: { clientSecret: required, authURL: badUrl },
        },
      },
    });
  });

  it('stops at the first repeated name, as checkForDuplicatedProviders runs before the per-provider rules', () => {
    expect(
      validateMembers({ enabled: true, providers: [{ name: 'oidc' }, { name: '' }, { name: '' }, { name: 'oidc' }] }),
    ).toEqual({
      oauth2: {
        providers: {
          3: {
            name: {
              code: 'validation_duplicated_provider',
              message: 'The provider oidc is already registered.',
              params: { name: 'oidc' },
            },
          },
        },
      },
    });
  });

  it('does not check a disabled config, but still refuses JSON of the wrong types', () => {
    expect(validateMembers({ enabled: false, providers: [{ name: 'custom' }, { name: 'oidc' }] })).toEqual({});
    expect(validateMembers({ enabled: false, providers: [{ name: 1, displayName: null }] })).toEqual({
      oauth2: {
        providers: {
          0: {
            name: { code: 'validation_invalid_value', message: 'Must be a string.' },
            displayName: { code: 'validation_invalid_value', message: 'Must be a string.' },
          },
        },
      },
    });
    expect(validateMembers({ enabled: false, providers: null })).toEqual({
      oauth2: { providers: { code: 'validation_invalid_value', message: 'Must be an array.' } },
    });
  });

  it('leaves base collections alone', () => {
    const { collection } = normalizeCollection({ name: 'posts', type: 'base', oauth2: { enabled: true } });
    expect(validateCollection(collection, { lookup: makeLookup([collection]) })).toEqual({});
  });
});

describe('validateCollection: ids and names of new collections (PocketBase checkUniqueName, UniqueId)', () => {
  const stored = normalizeCollection({ name: 'posts' }).collection;
  const validateNew = (raw: Record<string, unknown>) => {
    const { collection } = normalizeCollection(raw);
    return validateCollection(collection, { lookup: makeLookup([stored]) });
  };

  it('refuses the very same name, whose default id is the stored one too', () => {
    expect(validateNew({ name: 'posts' })).toEqual({
      id: { code: 'validation_invalid_or_existing_id', message: 'The model id is invalid or already exists.' },
      name: {
        code: 'validation_collection_name_exists',
        message: 'Collection name must be unique (case insensitive).',
      },
    });
  });

  it("refuses a name that is another collection's id, and malformed ids", () => {
    expect(validateNew({ name: stored.id })).toMatchObject({
      name: { code: 'validation_collection_name_id_duplicate' },
    });
    expect(validateNew({ id: 'a-b', name: 'other' })).toMatchObject({ id: { code: 'validation_match_invalid' } });
    expect(validateNew({ id: 'x'.repeat(101), name: 'other' })).toMatchObject({
      id: { code: 'validation_length_out_of_range' },
    });
    expect(validateNew({ id: 'fine_id', name: 'other' })).toEqual({});
  });

  it('lets an update keep its own name and id', () => {
    expect(validateCollection(stored, { original: stored, lookup: makeLookup([stored]) })).toEqual({});
  });
});
