import {
  findOAuth2Provider,
  isOAuth2ProviderName,
  type OAuth2Provider,
  type OAuth2ProviderName,
} from '@hivebase/schema';
import { fetchUserJson, idTokenClaims, type ProviderTokens, requestJson } from './oauth2-http';

/** A provider's user as PocketBase normalises it (its `AuthUser`). */
export interface OAuth2User {
  id: string;
  name: string;
  username: string;
  /** Only an address the provider vouches for (verified); `""` otherwise, so it never links records. */
  email: string;
  avatarURL: string;
  rawUser: Record<string, unknown>;
}

/** One provider ready to use: its preset with the collection's config applied. */
export interface ResolvedProvider {
  name: string;
  displayName: string;
  clientId: string;
  clientSecret: string;
  authURL: string;
  tokenURL: string;
  userInfoURL: string;
  pkce: boolean;
  scopes: string[];
  /** Extra authorization URL parameters. */
  authParams: Record<string, string>;
  extra: Record<string, unknown>;
  fetchUser(provider: ResolvedProvider, tokens: ProviderTokens): Promise<OAuth2User>;
}

/** How a provider's user is read and mapped to PocketBase's `AuthUser` (its `FetchAuthUser`). */
type UserFetcher = (provider: ResolvedProvider, tokens: ProviderTokens) => Promise<OAuth2User>;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Numeric ids (GitHub, GitLab) as text, string ids as they are. */
const idText = (value: unknown): string =>
  typeof value === 'number' && Number.isFinite(value) ? String(Math.trunc(value)) : text(value);

/** Go's `cast.ToBool`, which PocketBase uses for `email_verified` (bool, "true"/"1"/"t", or a number). */
export function truthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
  return false;
}

/** OpenID Connect standard claims, shared by Google and the generic `oidc` providers. */
function userFromOidcClaims(raw: Record<string, unknown>): OAuth2User {
  return {
    id: text(raw.sub),
    name: text(raw.name),
    username: text(raw.preferred_username),
    email: truthy(raw.email_verified) ? text(raw.email) : '',
    avatarURL: text(raw.picture),
    rawUser: raw,
  };
}

const APPLE_ISSUER = 'https://appleid.apple.com';

// Without a userinfo URL the claims come from the id_token (`extra.issuers`, `extra.jwksURL` check it).
const fetchOidcUser: UserFetcher = async (provider, tokens) =>
  userFromOidcClaims(
    provider.userInfoURL
      ? await fetchUserJson(provider.userInfoURL, tokens)
      : await idTokenClaims(tokens, {
          audience: provider.clientId,
          issuers: Array.isArray(provider.extra.issuers) ? provider.extra.issuers.map(text) : [],
          jwksURL: text(provider.extra.jwksURL),
        }),
  );

/**
 * Each known provider's user mapping, as in PocketBase's `tools/auth/<name>.go`; names, URLs,
 * scopes and PKCE flags are the shared catalogue's (`@hivebase/schema`). Typed by the
 * catalogue's names, so a provider added there without a mapping here does not compile.
 */
const USER_FETCHERS: Readonly<Record<OAuth2ProviderName, UserFetcher>> = {
  apple: async (provider, tokens) => {
    // Apple has no userinfo endpoint: the claims are in its signed id_token.
    const raw = await idTokenClaims(tokens, {
      audience: provider.clientId,
      issuers: [APPLE_ISSUER],
      jwksURL: `${APPLE_ISSUER}/auth/keys`,
      requireExpiry: true,
    });
    // Apple sends the user's name once, beside the tokens, on the first sign-in.
    if (typeof tokens.data.user === 'string' && tokens.data.user !== '') raw.user = JSON.parse(tokens.data.user);
    const user = raw.user as { name?: { firstName?: unknown; lastName?: unknown } } | undefined;
    const fullName = `${text(user?.name?.firstName)} ${text(user?.name?.lastName)}`.trim();
    return {
      id: text(raw.sub),
      name: text(raw.name) || fullName,
      username: '',
      email: truthy(raw.email_verified) ? text(raw.email) : '',
      avatarURL: '',
      rawUser: raw,
    };
  },
  discord: async (provider, tokens) => {
    const raw = await fetchUserJson(provider.userInfoURL, tokens);
    const id = text(raw.id);
    return {
      id,
      name: `${text(raw.username)}#${text(raw.discriminator)}`,
      username: text(raw.username),
      email: raw.verified === true ? text(raw.email) : '',
      avatarURL: `https://cdn.discordapp.com/avatars/${id}/${text(raw.avatar)}.png`,
      rawUser: raw,
    };
  },
  github: async (provider, tokens) => {
    const raw = await fetchUserJson(provider.userInfoURL, tokens);
    // A public profile email is verified by GitHub; a private one is read from the emails API.
    const email = text(raw.email) || (await githubPrimaryEmail(`${provider.userInfoURL}/emails`, tokens));
    return {
      id: idText(raw.id),
      name: text(raw.name),
      username: text(raw.login),
      email,
      avatarURL: text(raw.avatar_url),
      rawUser: raw,
    };
  },
  gitlab: async (provider, tokens) => {
    // GitLab's `email` is the confirmed primary address.
    const raw = await fetchUserJson(provider.userInfoURL, tokens);
    return {
      id: idText(raw.id),
      name: text(raw.name),
      username: text(raw.username),
      email: text(raw.email),
      avatarURL: text(raw.avatar_url),
      rawUser: raw,
    };
  },
  google: async (provider, tokens) => {
    const user = userFromOidcClaims(await fetchUserJson(provider.userInfoURL, tokens));
    return { ...user, username: '' };
  },
  microsoft: async (provider, tokens) => {
    const raw = await fetchUserJson(provider.userInfoURL, tokens);
    return {
      id: text(raw.id),
      name: text(raw.displayName),
      username: '',
      email: text(raw.mail),
      avatarURL: '',
      rawUser: raw,
    };
  },
  // Generic OpenID Connect providers: up to three per collection, URLs from the config.
  oidc: fetchOidcUser,
  oidc2: fetchOidcUser,
  oidc3: fetchOidcUser,
};

export { OAUTH2_PROVIDER_NAMES } from '@hivebase/schema';

/**
 * PocketBase's `InitProvider`: the catalogue's preset named by `config.name` with its user
 * mapping, the config's client and its non-empty URLs, display name, PKCE flag and extra applied.
 * Throws for an unknown name.
 */
export function resolveProvider(config: OAuth2Provider): ResolvedProvider {
  const preset = findOAuth2Provider(config.name);
  if (!preset || !isOAuth2ProviderName(config.name)) throw new Error(`missing provider ${config.name}`);
  return {
    name: config.name,
    displayName: config.displayName || preset.displayName,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    authURL: config.authURL || preset.authURL,
    tokenURL: config.tokenURL || preset.tokenURL,
    userInfoURL: config.userInfoURL || preset.userInfoURL,
    pkce: typeof config.pkce === 'boolean' ? config.pkce : preset.pkce,
    scopes: [...preset.scopes],
    authParams: { ...preset.authParams },
    extra: config.extra ?? {},
    fetchUser: USER_FETCHERS[config.name],
  };
}

/** GitHub's verified primary address; `""` when the token may not read emails (as PocketBase). */
async function githubPrimaryEmail(url: string, tokens: ProviderTokens): Promise<string> {
  const { status, json } = await requestJson(url, tokens.accessToken);
  if (status === 401 || status === 403 || status === 404) return '';
  if (status >= 400 || !Array.isArray(json)) throw new Error(`failed to fetch the GitHub emails (${status})`);
  const primary = json.find(
    (entry): entry is { email: unknown } =>
      typeof entry === 'object' && entry !== null && entry.verified === true && entry.primary === true,
  );
  return primary ? text(primary.email) : '';
}
