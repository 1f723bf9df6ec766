import { describe, expect, it } from 'vitest';
import { checkUrl } from '../fields/web-address.util';
import {
  configurableOAuth2Providers,
  findOAuth2Provider,
  isOAuth2ProviderName,
  OAUTH2_PROVIDER_NAMES,
  OAUTH2_PROVIDERS,
} from './oauth2-providers';

describe('the OAuth2 provider catalogue', () => {
  it('holds each provider once, sorted by name', () => {
    expect(OAUTH2_PROVIDER_NAMES).toEqual([
      'apple',
      'discord',
      'github',
      'gitlab',
      'google',
      'microsoft',
      'oidc',
      'oidc2',
      'oidc3',
    ]);
  });

  it('gives the named providers https default URLs and scopes; the OIDC slots take theirs from the config', () => {
    for (const provider of OAUTH2_PROVIDERS) {
      expect(provider.scopes.length).toBeGreaterThan(0);
      const urls = [provider.authURL, provider.tokenURL, provider.userInfoURL].filter((url) => url !== '');
      for (const url of urls) expect(url.startsWith('https://') && checkUrl(url).valid).toBe(true);
      if (provider.name.startsWith('oidc')) expect(urls).toEqual([]);
    }
    expect(findOAuth2Provider('apple')).toMatchObject({ userInfoURL: '', authParams: { response_mode: 'form_post' } });
  });

  it('is read-only', () => {
    const apple = findOAuth2Provider('apple');
    expect(Object.isFrozen(apple)).toBe(true);
    expect(Object.isFrozen(apple?.scopes)).toBe(true);
    expect(Object.isFrozen(apple?.authParams)).toBe(true);
    expect(Object.isFrozen(OAUTH2_PROVIDERS)).toBe(true);
  });

  it('knows no inherited or differently cased names', () => {
    for (const name of ['toString', '__proto__', 'constructor', 'Google', 'oidc4', '']) {
      expect(findOAuth2Provider(name)).toBeUndefined();
      expect(isOAuth2ProviderName(name)).toBe(false);
    }
  });

  it('describes each provider for the meta route as {name, displayName, logo}', () => {
    const listed = configurableOAuth2Providers();
    expect(listed.map((entry) => Object.keys(entry))).toEqual(
      OAUTH2_PROVIDERS.map(() => ['name', 'displayName', 'logo']),
    );
    expect(listed[0]).toEqual({ name: 'apple', displayName: 'Apple', logo: '' });
    expect(listed.filter((entry) => entry.displayName === 'OIDC').map((entry) => entry.name)).toEqual([
      'oidc',
      'oidc2',
      'oidc3',
    ]);
  });
});
