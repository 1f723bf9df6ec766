import type { RateLimitAudience, RateLimitRule } from '../edge/edge-settings';

/**
 * PocketBase's `FindRateLimitRule`: the first rule whose label equals one of `labels` (in their
 * order) and whose audience is allowed; a label ending in `/` also matches, as a path prefix,
 * the first label (the full path) and those after it.
 */
export function findRateLimitRule(
  rules: readonly RateLimitRule[],
  labels: readonly string[],
  audiences: readonly RateLimitAudience[],
): RateLimitRule | undefined {
  const prefixRules: RateLimitRule[] = [];
  for (const [i, label] of labels.entries()) {
    for (const rule of rules) {
      if (label === rule.label && audiences.includes(rule.audience)) return rule;
      if (i === 0 && rule.label.endsWith('/')) prefixRules.push(rule);
    }
    for (const rule of prefixRules) {
      if (`${label}/`.startsWith(rule.label) && audiences.includes(rule.audience)) return rule;
    }
  }
  return undefined;
}

/** PocketBase's audiences a request's rules may have: everyone's, and the guests' or the signed-in's. */
export const audiencesOf = (signedIn: boolean): RateLimitAudience[] => (signedIn ? ['', '@auth'] : ['', '@guest']);

/** The labels every request is checked against: `METHOD /path`, then `/path`. */
export const pathLabels = (method: string, path: string): string[] => [`${method} ${path}`, path];

/** A route that PocketBase rate-limits per collection too, with its action tags. */
export interface CollectionRoute {
  /** The collection as the URL names it (id or name). */
  collection: string;
  /** Names the route, as PocketBase's route pattern does in its limiter ids. */
  pattern: string;
  tags: string[];
}

const AUTH_ROUTE_TAGS: Record<string, { method: string; tags: string[] }> = {
  'auth-methods': { method: 'GET', tags: ['listAuthMethods'] },
  'auth-refresh': { method: 'POST', tags: ['authRefresh'] },
  'auth-with-password': { method: 'POST', tags: ['authWithPassword', 'auth'] },
  'auth-with-oauth2': { method: 'POST', tags: ['authWithOAuth2', 'auth'] },
  'request-otp': { method: 'POST', tags: ['requestOTP'] },
  'auth-with-otp': { method: 'POST', tags: ['authWithOTP', 'auth'] },
  'request-password-reset': { method: 'POST', tags: ['requestPasswordReset'] },
  'confirm-password-reset': { method: 'POST', tags: ['confirmPasswordReset'] },
  'request-verification': { method: 'POST', tags: ['requestVerification'] },
  'confirm-verification': { method: 'POST', tags: ['confirmVerification'] },
  'request-email-change': { method: 'POST', tags: ['requestEmailChange'] },
  'confirm-email-change': { method: 'POST', tags: ['confirmEmailChange'] },
};

const decode = (segment: string): string | null => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
};

/**
 * The collection route a request is on (records CRUD, the auth actions, file downloads), as
 * PocketBase tags them (`list`, `view`, `create`, `update`, `delete`, `authWithPassword` + `auth`,
 * `file`, …); null for every other route.
 */
export function collectionRouteOf(method: string, path: string): CollectionRoute | null {
  const parts = path.split('/');
  // ['', 'api', 'collections', c, 'records', id?]
  if (parts[1] !== 'api') return null;
  if (parts[2] === 'collections' && parts.length >= 5 && parts[3]) {
    const collection = decode(parts[3]);
    if (collection === null) return null;
    if (parts[4] === 'records' && parts.length === 5) {
      if (method === 'GET') return { collection, pattern: 'records', tags: ['list'] };
      if (method === 'POST') return { collection, pattern: 'records', tags: ['create'] };
      return null;
    }
    if (parts[4] === 'records' && parts.length === 6 && parts[5]) {
      const tag = { GET: 'view', PATCH: 'update', DELETE: 'delete' }[method];
      return tag ? { collection, pattern: 'records/{id}', tags: [tag] } : null;
    }
    const auth = parts.length === 5 ? AUTH_ROUTE_TAGS[parts[4]] : undefined;
    if (auth && auth.method === method) return { collection, pattern: parts[4], tags: auth.tags };
    return null;
  }
  if (parts[2] === 'files' && parts.length === 6 && method === 'GET' && parts[3] && parts[4] && parts[5]) {
    const collection = decode(parts[3]);
    return collection === null ? null : { collection, pattern: 'files', tags: ['file'] };
  }
  return null;
}

/** The labels of a collection route: `name:tag` for each tag, then `*:tag`, then the path labels. */
export function collectionLabels(name: string, route: CollectionRoute, method: string, path: string): string[] {
  return [
    ...route.tags.map((tag) => `${name}:${tag}`),
    ...route.tags.map((tag) => `*:${tag}`),
    ...pathLabels(method, path),
  ];
}
