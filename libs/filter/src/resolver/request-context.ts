import type { Collection } from '@hivebase/schema';

/** PocketBase's request contexts (`@request.context`). */
export type RequestContextName = 'default' | 'oauth2' | 'otp' | 'password' | 'realtime' | 'protectedFile' | 'batch';

/** The authenticated record of a request: its collection and its field values (hidden ones included). */
export interface RequestAuth {
  collection: Collection;
  record: Record<string, unknown>;
}

/** What `@request.*` reads. Header names are matched lower-cased with `-` turned into `_`. */
export interface RequestContext {
  context?: RequestContextName;
  method: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  body: Record<string, unknown>;
  auth: RequestAuth | null;
}

/** `X-Token` → `x_token`, as PocketBase exposes headers to rules. */
export function normalizeHeaderName(name: string): string {
  return name.toLowerCase().replace(/-/g, '_');
}

export function normalizeHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) out[normalizeHeaderName(key)] = value;
  return out;
}

/** The auth fields PocketBase reads straight from the auth record, without a join. */
export const PLAIN_AUTH_FIELDS = ['id', 'collectionId', 'collectionName', 'email', 'emailVisibility', 'verified'];

/** The value of a plain `@request.auth.<name>` field, or undefined when it is not a plain one. */
export function plainAuthValue(auth: RequestAuth, name: string): unknown {
  switch (name) {
    case 'collectionId':
      return auth.collection.id;
    case 'collectionName':
      return auth.collection.name;
    case 'id':
    case 'email':
    case 'emailVisibility':
    case 'verified':
      return auth.record[name];
    default:
      return undefined;
  }
}

/**
 * Walks `keys` into a request value the way PocketBase does: objects by key, arrays by index.
 * Returns `{ found: false }` for a missing key (which `:isset` reports and other uses read as NULL).
 */
export function extractNested(root: unknown, keys: string[]): { found: boolean; value: unknown } {
  let current: unknown = root;
  for (const key of keys) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(key)) return { found: false, value: undefined };
      const index = Number(key);
      if (index >= current.length) return { found: false, value: undefined };
      current = current[index];
    } else if (current !== null && typeof current === 'object') {
      if (!Object.hasOwn(current, key)) return { found: false, value: undefined };
      current = (current as Record<string, unknown>)[key];
    } else {
      return { found: false, value: undefined };
    }
  }
  return { found: true, value: current };
}

/**
 * A static request value as PocketBase binds it: null stays null, strings and numbers as they are,
 * booleans as 1/0 (SQLite has no boolean), anything else JSON-encoded.
 */
export function normalizeStaticValue(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null;
  }
}

/** PocketBase's "toSlice": null → [], a list as is, anything else → [value]. */
export function toList(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
