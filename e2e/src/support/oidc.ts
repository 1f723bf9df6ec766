// The auth service's loopback OpenID Connect server (oidc-provider), self-contained: reused as is.
import type { OidcServer } from '@hivebase/auth/testing';
import type PocketBase from 'pocketbase';
import { expect, vi } from 'vitest';

/** Collection changes reach the other services over the bus; the auth service answers auth-methods. */
export const PROPAGATION = { timeout: 10_000, interval: 100 };

/**
 * As an app's admin would: OAuth2 on `users` through the generic `oidc` provider pointed at the
 * loopback `idp` (plus any `extraFields` for sign-up data), then waits until `guest` sees it
 * listed by auth-methods.
 */
export async function enableOidcSignIn(
  root: PocketBase,
  guest: PocketBase,
  idp: OidcServer,
  extraFields: Record<string, unknown>[] = [],
): Promise<void> {
  const users = await root.collections.getOne('users');
  await root.collections.update('users', {
    ...(extraFields.length > 0 ? { fields: [...users.fields, ...extraFields] } : {}),
    oauth2: {
      enabled: true,
      providers: [
        {
          name: 'oidc',
          displayName: 'Test IdP',
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
          authURL: idp.authURL,
          tokenURL: idp.tokenURL,
          userInfoURL: idp.userInfoURL,
        },
      ],
    },
  });
  await vi.waitFor(async () => {
    const methods = await guest.collection('users').listAuthMethods();
    expect(methods.oauth2.providers.map((provider) => provider.name)).toEqual(['oidc']);
  }, PROPAGATION);
}
