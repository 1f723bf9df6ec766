import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { freePort } from '@hivebase/platform';

/** A user of the test identity provider. */
export interface OidcAccount {
  email: string;
  emailVerified: boolean;
  name?: string;
  username?: string;
  picture?: string;
}

/** A real OpenID Connect server (`oidc-provider`) on 127.0.0.1 with one confidential client. */
export interface OidcServer {
  issuer: string;
  authURL: string;
  tokenURL: string;
  userInfoURL: string;
  jwksURL: string;
  clientId: string;
  clientSecret: string;
  /** The client's registered redirect URL (never served: `authorize` stops at it). */
  redirectURL: string;
  /** Accounts by id (the `sub`); tests may add more. */
  accounts: Map<string, OidcAccount>;
  /**
   * Plays the browser: follows an `authURL` from `auth-methods` (the redirect URL appended, as
   * the SDK does) signed in as `accountId`, and returns what the provider sent back.
   */
  authorize(authURL: string, accountId: string): Promise<{ code: string; state: string }>;
  /**
   * Plays the browser for a complete authorization URL (its `redirect_uri` one of `redirectURLs`,
   * as the SDK's all-in-one `authWithOAuth2()` builds it) signed in as `accountId`, and returns
   * the URL the provider redirects back to (with `code` and `state`, or `error`).
   */
  follow(url: string, accountId: string): Promise<URL>;
  close(): Promise<void>;
}

export interface OidcServerOptions {
  /** More redirect URLs the client accepts, e.g. a server's `<baseUrl>/api/oauth2-redirect`. */
  redirectURLs?: string[];
}

// The little of oidc-provider's API used here (the package ships no types).
interface InteractionDetails {
  prompt: { name: string };
  params: Record<string, unknown>;
  session?: { accountId: string };
}
interface OidcProvider {
  callback(): (request: IncomingMessage, response: ServerResponse) => void;
  interactionDetails(request: IncomingMessage, response: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(
    request: IncomingMessage,
    response: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: new (properties: {
    accountId: string;
    clientId: string;
  }) => { addOIDCScope(scope: string): void; save(): Promise<string> };
}
type OidcProviderClass = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

export async function startOidcServer(options: OidcServerOptions = {}): Promise<OidcServer> {
  // A specifier in a variable: the untyped ESM package is loaded at run time only.
  const packageName = 'oidc-provider';
  const { default: Provider } = (await import(packageName)) as { default: OidcProviderClass };
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'hivebase-test';
  const clientSecret = 'hivebase-test-secret-0123456789';
  const redirectURL = 'https://app.example.com/oauth2-callback';
  const accounts = new Map<string, OidcAccount>();
  const signingKey = {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    kid: 'test-key',
    alg: 'RS256',
    use: 'sig',
  };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectURL, ...(options.redirectURLs ?? [])],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['oidc-test-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username', 'picture'] },
    // Scope claims go in the id_token too, so a provider without a userinfo URL can read them.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    // Set explicitly: the defaults log a notice on every use.
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    findAccount: (_context: unknown, id: string) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: account.email,
          email_verified: account.emailVerified,
          name: account.name,
          preferred_username: account.username,
          picture: account.picture,
        }),
      };
    },
  });

  // Login and consent are answered at once: the account comes from the request's login_hint.
  const interact = async (request: IncomingMessage, response: ServerResponse) => {
    const details = await provider.interactionDetails(request, response);
    if (details.prompt.name === 'login') {
      const accountId = String(details.params.login_hint ?? '');
      await provider.interactionFinished(request, response, { login: { accountId } });
      return;
    }
    const grant = new provider.Grant({
      accountId: details.session?.accountId ?? '',
      clientId: String(details.params.client_id),
    });
    grant.addOIDCScope(String(details.params.scope));
    await provider.interactionFinished(request, response, { consent: { grantId: await grant.save() } });
  };
  const handle = provider.callback();
  const server = createServer((request, response) => {
    if (!request.url?.startsWith('/interaction/')) return handle(request, response);
    interact(request, response).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  // Follows the provider's redirects (keeping its cookies) until one leaves for a registered redirect URL.
  const walk = async (start: string, accountId: string): Promise<URL> => {
    const redirects = [redirectURL, ...(options.redirectURLs ?? [])];
    const cookies = new Map<string, string>();
    let url = `${start}&login_hint=${encodeURIComponent(accountId)}`;
    for (let hop = 0; hop < 10; hop++) {
      const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      for (const setCookie of response.headers.getSetCookie()) {
        const [pair] = setCookie.split(';');
        const at = pair.indexOf('=');
        const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1)];
        if (value === '') cookies.delete(name);
        else cookies.set(name, value);
      }
      const location = response.headers.get('location');
      if (!location) throw new Error(`authorization stopped with ${response.status}: ${await response.text()}`);
      const next = new URL(location, url);
      if (redirects.some((redirect) => next.href.startsWith(redirect))) return next;
      url = next.href;
    }
    throw new Error('too many redirects');
  };

  const authorize = async (authURL: string, accountId: string) => {
    const next = await walk(`${authURL}${encodeURIComponent(redirectURL)}`, accountId);
    const error = next.searchParams.get('error');
    if (error) throw new Error(`authorization failed: ${error} ${next.searchParams.get('error_description')}`);
    return { code: next.searchParams.get('code') ?? '', state: next.searchParams.get('state') ?? '' };
  };

  return {
    issuer,
    authURL: `${issuer}/auth`,
    tokenURL: `${issuer}/token`,
    userInfoURL: `${issuer}/me`,
    jwksURL: `${issuer}/jwks`,
    clientId,
    clientSecret,
    redirectURL,
    accounts,
    authorize,
    follow: walk,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
