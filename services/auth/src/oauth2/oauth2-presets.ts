import type { OAuth2Provider } from '@hivebase/schema';
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

/** What a preset supplies; the collection's provider config adds the client and may override the rest. */
type OAuth2Preset = Omit<ResolvedProvider, 'name' | 'clientId' | 'clientSecret' | 'extra' | 'authParams'> & {
  authParams?: Record<string, string>;
};

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

const oidcPreset: OAuth2Preset = {
  displayName: 'OIDC',
  pkce: true,
  scopes: ['openid', 'email', 'profile'],
  authURL: '',
  tokenURL: '',
  userInfoURL: '',
  // Without a userinfo URL the claims come from the id_token (`extra.issuers`, `extra.jwksURL` check it).
  fetchUser: async (provider, tokens) =>
    userFromOidcClaims(
      provider.userInfoURL
        ? await fetchUserJson(provider.userInfoURL, tokens)
        : await idTokenClaims(tokens, {
            audience: provider.clientId,
            issuers: Array.isArray(provider.extra.issuers) ? provider.extra.issuers.map(text) : [],
            jwksURL: text(provider.extra.jwksURL),
          }),
    ),
};

/** PocketBase's providers by name (the ones Hivebase has so far), with its URLs, scopes and mappings. */
const PRESETS: Readonly<Record<string, OAuth2Preset>> = {
  google: {
    displayName: 'Google',
    pkce: true,
    scopes: ['https://www.googleapis.com/auth/userinfo.profile', 'https://www.googleapis.com/auth/userinfo.email'],
    authURL: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenURL: 'https://oauth2.googleapis.com/token',
    userInfoURL: 'https://www.googleapis.com/oauth2/v3/userinfo',
    fetchUser: async (provider, tokens) => {
      const user = userFromOidcClaims(await fetchUserJson(provider.userInfoURL, tokens));
      return { ...user, username: '' };
    },
  },
  github: {
    displayName: 'GitHub',
    // GitHub ignores the PKCE parameters; sending them is harmless (as PocketBase does).
    pkce: true,
    scopes: ['read:user', 'user:email'],
    authURL: 'https://github.com/login/oauth/authorize',
    tokenURL: 'https://github.com/login/oauth/access_token',
    userInfoURL: 'https://api.github.com/user',
    fetchUser: async (provider, tokens) => {
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
  },
  gitlab: {
    displayName: 'GitLab',
    pkce: true,
    scopes: ['read_user'],
    authURL: 'https://gitlab.com/oauth/authorize',
    tokenURL: 'https://gitlab.com/oauth/token',
    userInfoURL: 'https://gitlab.com/api/v4/user',
    fetchUser: async (provider, tokens) => {
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
  },
  microsoft: {
    displayName: 'Microsoft',
    pkce: true,
    scopes: ['User.Read'],
    // The multi-tenant endpoints; a tenant's own URLs go in the provider config.
    authURL: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenURL: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    userInfoURL: 'https://graph.microsoft.com/v1.0/me',
    fetchUser: async (provider, tokens) => {
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
  },
  apple: {
    displayName: 'Apple',
    pkce: true,
    scopes: ['name', 'email'],
    authURL: 'https://appleid.apple.com/auth/authorize',
    tokenURL: 'https://appleid.apple.com/auth/token',
    userInfoURL: '',
    // Apple posts the answer when name or email is asked for (PocketBase's redirect accepts POST).
    authParams: { response_mode: 'form_post' },
    fetchUser: async (provider, tokens) => {
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
  },
  discord: {
    displayName: 'Discord',
    pkce: true,
    scopes: ['identify', 'email'],
    authURL: 'https://discord.com/api/oauth2/authorize',
    tokenURL: 'https://discord.com/api/oauth2/token',
    userInfoURL: 'https://discord.com/api/users/@me',
    fetchUser: async (provider, tokens) => {
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
  },
  // Generic OpenID Connect providers: up to three per collection, URLs from the config.
  oidc: oidcPreset,
  oidc2: oidcPreset,
  oidc3: oidcPreset,
};

/** The provider names a collection may configure (PocketBase rejects any other name). */
export const OAUTH2_PROVIDER_NAMES: readonly string[] = Object.keys(PRESETS);

/**
 * PocketBase's `InitProvider`: the preset named by `config.name`, with the config's client and
 * its non-empty URLs, display name, PKCE flag and extra applied. Throws for an unknown name.
 */
export function resolveProvider(config: OAuth2Provider): ResolvedProvider {
  const preset = Object.hasOwn(PRESETS, config.name) ? PRESETS[config.name] : undefined;
  if (!preset) throw new Error(`missing provider ${config.name}`);
  return {
    ...preset,
    name: config.name,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    authURL: config.authURL || preset.authURL,
    tokenURL: config.tokenURL || preset.tokenURL,
    userInfoURL: config.userInfoURL || preset.userInfoURL,
    displayName: config.displayName || preset.displayName,
    pkce: typeof config.pkce === 'boolean' ? config.pkce : preset.pkce,
    authParams: preset.authParams ?? {},
    extra: config.extra ?? {},
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
