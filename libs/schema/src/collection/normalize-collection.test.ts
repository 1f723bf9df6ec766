import { describe, expect, it } from 'vitest';
import type { AuthCollection } from '../model/collection.model';
import { normalizeCollection } from './normalize-collection';

describe('normalizeCollection: OAuth2 client secrets', () => {
  const stored = normalizeCollection({
    name: 'members',
    type: 'auth',
    oauth2: {
      enabled: true,
      providers: [
        { name: 'google', clientId: 'g-id', clientSecret: 'g-secret' },
        { name: 'github', clientId: 'h-id', clientSecret: 'h-secret' },
      ],
    },
  }).collection as AuthCollection;

  it('keeps the stored secret of a provider sent back without one (the JSON never shows it)', () => {
    const { collection } = normalizeCollection(
      {
        oauth2: {
          providers: [
            { name: 'github', clientId: 'h-id-2', clientSecret: '' },
            { name: 'google', clientId: 'g-id' },
          ],
        },
      },
      stored,
    );
    const providers = (collection as AuthCollection).oauth2.providers;
    expect(providers.map((provider) => [provider.name, provider.clientId, provider.clientSecret])).toEqual([
      ['github', 'h-id-2', 'h-secret'],
      ['google', 'g-id', 'g-secret'],
    ]);
  });

  it('takes a new secret when one is given, and drops providers left out', () => {
    const { collection } = normalizeCollection(
      { oauth2: { providers: [{ name: 'google', clientId: 'g-id', clientSecret: 'rotated' }] } },
      stored,
    );
    expect((collection as AuthCollection).oauth2.providers).toMatchObject([
      { name: 'google', clientSecret: 'rotated' },
    ]);
  });
});
