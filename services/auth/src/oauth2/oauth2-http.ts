import { createPublicKey, verify } from 'node:crypto';
import { nowDateTime } from '@hivebase/schema';
import { decodeIdToken, OAuth2Client, OAuth2RequestError, OAuth2Tokens, UnexpectedResponseError } from 'arctic';

/** The token response as PocketBase's meta reports it (`expiry` in the wire date format or `""`). */
export interface ProviderTokens {
  accessToken: string;
  refreshToken: string;
  expiry: string;
  idToken: string;
  /** The whole response (Apple sends the user's name beside the tokens). */
  data: Record<string, unknown>;
}

/** What a code exchange needs to know about the provider. */
export interface TokenEndpoint {
  clientId: string;
  clientSecret: string;
  tokenURL: string;
}

/** PocketBase gives each provider call 30 seconds. */
const TIMEOUT_MS = 30_000;
/** Clock skew allowed on id_token dates (PocketBase's default). */
const ID_TOKEN_LEEWAY_S = 300;
const RSA_HASHES: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Exchanges an authorization code for tokens (with the PKCE verifier when given). Client
 * credentials go as HTTP Basic first and, when the server refuses that, in the body: Go's
 * oauth2 package (PocketBase's) auto-detects the same way, and Apple, for one, wants the body.
 */
export async function exchangeCode(
  endpoint: TokenEndpoint,
  code: string,
  codeVerifier: string | null,
  redirectURL: string,
): Promise<ProviderTokens> {
  const secret = endpoint.clientSecret || null;
  let tokens: OAuth2Tokens;
  try {
    const client = new OAuth2Client(endpoint.clientId, secret, redirectURL);
    tokens = await client.validateAuthorizationCode(endpoint.tokenURL, code, codeVerifier);
  } catch (error) {
    const refusedBasic =
      (error instanceof OAuth2RequestError && error.code === 'invalid_client') ||
      (error instanceof UnexpectedResponseError && error.status === 401);
    if (secret === null || !refusedBasic) throw error;
    tokens = await exchangeWithBodyCredentials(endpoint, code, codeVerifier, redirectURL);
  }
  const data = tokens.data as Record<string, unknown>;
  return {
    // Throws when the answer has no access token (GitHub answers errors with a 200).
    accessToken: tokens.accessToken(),
    refreshToken: tokens.hasRefreshToken() ? tokens.refreshToken() : '',
    expiry: typeof data.expires_in === 'number' ? nowDateTime(tokens.accessTokenExpiresAt()) : '',
    idToken: typeof data.id_token === 'string' ? data.id_token : '',
    data,
  };
}

/** The code exchange with `client_id`/`client_secret` as form fields (arctic only sends Basic). */
async function exchangeWithBodyCredentials(
  endpoint: TokenEndpoint,
  code: string,
  codeVerifier: string | null,
  redirectURL: string,
): Promise<OAuth2Tokens> {
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectURL });
  if (codeVerifier !== null) body.set('code_verifier', codeVerifier);
  body.set('client_id', endpoint.clientId);
  body.set('client_secret', endpoint.clientSecret);
  const response = await fetch(endpoint.tokenURL, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const json: unknown = await response.json().catch(() => null);
  if (response.status !== 200 || !isObject(json)) {
    const reason = isObject(json) && typeof json.error === 'string' ? json.error : 'unexpected response';
    throw new Error(`token request failed (${response.status}): ${reason}`);
  }
  return new OAuth2Tokens(json);
}

/** A GET of provider JSON with the access token (when given); the status is the caller's to judge. */
export async function requestJson(url: string, accessToken?: string): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'hivebase' };
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const body = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(body);
  } catch {
    // Left null: callers reject what is not the JSON they expect.
  }
  return { status: response.status, json };
}

/** The provider's user info object; a failed or non-object answer throws. */
export async function fetchUserJson(url: string, tokens: ProviderTokens): Promise<Record<string, unknown>> {
  const { status, json } = await requestJson(url, tokens.accessToken);
  if (status >= 400) throw new Error(`failed to fetch the OAuth2 user profile via ${url} (${status})`);
  if (!isObject(json)) throw new Error(`the OAuth2 user profile from ${url} is not a JSON object`);
  return json;
}

export interface IdTokenRules {
  audience: string;
  /** Accepted `iss` values; empty accepts any. */
  issuers: string[];
  /** Where the signing keys are; empty skips the signature (the token came straight from the provider over TLS). */
  jwksURL: string;
  requireExpiry?: boolean;
}

/** The id_token's claims after PocketBase's checks: audience, dates (5 minutes' leeway), issuer, signature. */
export async function idTokenClaims(tokens: ProviderTokens, rules: IdTokenRules): Promise<Record<string, unknown>> {
  if (!tokens.idToken) throw new Error('empty id_token');
  const claims = decodeIdToken(tokens.idToken) as Record<string, unknown>;
  const now = Date.now() / 1000;
  const date = (name: string) => (typeof claims[name] === 'number' ? (claims[name] as number) : null);
  const exp = date('exp');
  if (exp === null ? rules.requireExpiry : now > exp + ID_TOKEN_LEEWAY_S) throw new Error('id_token is expired');
  for (const name of ['iat', 'nbf']) {
    const at = date(name);
    if (at !== null && now + ID_TOKEN_LEEWAY_S < at) throw new Error(`id_token ${name} is in the future`);
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(rules.audience)) throw new Error('id_token has another audience');
  if (rules.issuers.length > 0 && !rules.issuers.includes(String(claims.iss))) {
    throw new Error(`id_token iss must be one of ${rules.issuers.join(', ')}`);
  }
  if (rules.jwksURL) await verifyIdTokenSignature(tokens.idToken, rules.jwksURL);
  return claims;
}

/** Checks an RSA-signed JWT against the key with its `kid` in the provider's JWKS. */
async function verifyIdTokenSignature(idToken: string, jwksURL: string): Promise<void> {
  const [header, payload, signature] = idToken.split('.');
  const parsed: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  const kid = isObject(parsed) ? parsed.kid : undefined;
  if (typeof kid !== 'string' || kid === '') throw new Error('missing kid header value');
  const { status, json } = await requestJson(jwksURL);
  const keys = isObject(json) && Array.isArray(json.keys) ? json.keys.filter(isObject) : [];
  if (status >= 400) throw new Error(`failed to fetch the id_token keys (${status})`);
  const key = keys.find((candidate) => candidate.kid === kid);
  if (!key) throw new Error(`jwk with kid ${kid} was not found`);
  const alg = typeof key.alg === 'string' ? key.alg : String(isObject(parsed) ? parsed.alg : '');
  const hash = RSA_HASHES[alg];
  if (!hash || (isObject(parsed) && parsed.alg !== alg)) throw new Error(`unsupported id_token algorithm ${alg}`);
  const publicKey = createPublicKey({ key: { kty: 'RSA', n: String(key.n), e: String(key.e) }, format: 'jwk' });
  if (!verify(hash, Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature ?? '', 'base64url'))) {
    throw new Error('the id_token signature is invalid');
  }
}
