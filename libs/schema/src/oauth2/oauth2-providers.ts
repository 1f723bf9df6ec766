/**
 * A provider Hivebase knows, as PocketBase's `tools/auth/<name>.go` constructor sets it up:
 * the defaults a collection's provider config starts from. Pure data; how each provider's user
 * is fetched and mapped lives in the auth service.
 */
export interface OAuth2ProviderPreset {
  /** The `oauth2.providers[].name` that selects it. */
  name: string;
  displayName: string;
  pkce: boolean;
  scopes: readonly string[];
  /** Empty for the generic OIDC slots, whose URLs come from the config. */
  authURL: string;
  tokenURL: string;
  userInfoURL: string;
  /** Extra authorization URL parameters (PocketBase adds them in its auth-methods handler). */
  authParams: Readonly<Record<string, string>>;
}

/** One entry of `GET /api/collections/meta/oauth2-providers` (the SDK's `ConfigurableOAuth2Provider`). */
export interface ConfigurableOAuth2Provider {
  name: string;
  displayName: string;
  /** SVG markup in PocketBase; Hivebase ships no logos yet, so `""` (the dashboard shows a fallback icon). */
  logo: string;
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/** PocketBase's three generic OpenID Connect slots share one constructor. */
const OIDC_SLOT = {
  displayName: 'OIDC',
  pkce: true,
  scopes: ['openid', 'email', 'profile'],
  authURL: '',
  tokenURL: '',
  userInfoURL: '',
  authParams: NO_PARAMS,
};

// Keyed by name so `OAuth2ProviderName` is a closed union the auth service's user mappings must cover.
const PRESETS = {
  apple: {
    displayName: 'Apple',
    pkce: true,
    scopes: ['name', 'email'],
    authURL: 'https://appleid.apple.com/auth/authorize',
    tokenURL: 'https://appleid.apple.com/auth/token',
    // Apple has no userinfo endpoint: the user is read from its signed id_token.
    userInfoURL: '',
    // Apple posts its answer when name or email is asked for.
    authParams: Object.freeze({ response_mode: 'form_post' }),
  },
  discord: {
    displayName: 'Discord',
    pkce: true,
    scopes: ['identify', 'email'],
    authURL: 'https://discord.com/api/oauth2/authorize',
    tokenURL: 'https://discord.com/api/oauth2/token',
    userInfoURL: 'https://discord.com/api/users/@me',
    authParams: NO_PARAMS,
  },
  github: {
    displayName: 'GitHub',
    // GitHub ignores the PKCE parameters; PocketBase sends them anyway.
    pkce: true,
    scopes: ['read:user', 'user:email'],
    authURL: 'https://github.com/login/oauth/authorize',
    tokenURL: 'https://github.com/login/oauth/access_token',
    userInfoURL: 'https://api.github.com/user',
    authParams: NO_PARAMS,
  },
  gitlab: {
    displayName: 'GitLab',
    pkce: true,
    scopes: ['read_user'],
    authURL: 'https://gitlab.com/oauth/authorize',
    tokenURL: 'https://gitlab.com/oauth/token',
    userInfoURL: 'https://gitlab.com/api/v4/user',
    authParams: NO_PARAMS,
  },
  google: {
    displayName: 'Google',
    pkce: true,
    scopes: ['https://www.googleapis.com/auth/userinfo.profile', 'https://www.googleapis.com/auth/userinfo.email'],
    authURL: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenURL: 'https://oauth2.googleapis.com/token',
    userInfoURL: 'https://www.googleapis.com/oauth2/v3/userinfo',
    authParams: NO_PARAMS,
  },
  microsoft: {
    displayName: 'Microsoft',
    pkce: true,
    scopes: ['User.Read'],
    // The multi-tenant endpoints; a tenant's own URLs go in the provider config.
    authURL: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenURL: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    userInfoURL: 'https://graph.microsoft.com/v1.0/me',
    authParams: NO_PARAMS,
  },
  oidc: OIDC_SLOT,
  oidc2: OIDC_SLOT,
  oidc3: OIDC_SLOT,
} satisfies Record<string, Omit<OAuth2ProviderPreset, 'name'>>;

/** The name of a provider Hivebase knows. */
export type OAuth2ProviderName = keyof typeof PRESETS;

/** The providers Hivebase has so far (a subset of PocketBase's), sorted by name. */
export const OAUTH2_PROVIDERS: readonly OAuth2ProviderPreset[] = Object.freeze(
  (Object.keys(PRESETS) as OAuth2ProviderName[])
    .sort()
    .map((name) => Object.freeze({ name, ...PRESETS[name], scopes: Object.freeze([...PRESETS[name].scopes]) })),
);

const BY_NAME: ReadonlyMap<string, OAuth2ProviderPreset> = new Map(
  OAUTH2_PROVIDERS.map((provider) => [provider.name, provider]),
);

/** The provider names a collection may configure; PocketBase refuses any other. */
export const OAUTH2_PROVIDER_NAMES: readonly string[] = Object.freeze(OAUTH2_PROVIDERS.map(({ name }) => name));

/** Whether `name` is a provider Hivebase knows (never true for inherited names such as `toString`). */
export const isOAuth2ProviderName = (name: string): name is OAuth2ProviderName => BY_NAME.has(name);

/** The preset named `name`, or undefined. */
export function findOAuth2Provider(name: string): OAuth2ProviderPreset | undefined {
  return BY_NAME.get(name);
}

/** What `GET /api/collections/meta/oauth2-providers` lists: every known provider, by name. */
export function configurableOAuth2Providers(): ConfigurableOAuth2Provider[] {
  return OAUTH2_PROVIDERS.map(({ name, displayName }) => ({ name, displayName, logo: '' }));
}
