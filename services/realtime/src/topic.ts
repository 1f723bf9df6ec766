/** `@request.query.*` and `@request.headers.*` of one subscription, from its `?options=` JSON. */
export interface SubscriptionOptions {
  query: Record<string, string>;
  headers: Record<string, string>;
}

/** A subscribed topic as the broadcaster matches it. */
export type ParsedTopic =
  | { kind: 'oauth2' }
  | { kind: 'record'; collection: string; recordId: string | '*' }
  /** Anything else: accepted and kept (PocketBase does), never matched by a record event. */
  | { kind: 'other' };

export const OAUTH2_TOPIC = '@oauth2';

/** What a topic names, ignoring its options: `coll/*`, `coll/ID`, PocketBase's older `coll`, `@oauth2`. */
export function parseTopic(topic: string): ParsedTopic {
  // The topic is the SSE event name: a line break in it would forge frames, so it never matches.
  if (/[\r\n]/.test(topic)) return { kind: 'other' };
  const question = topic.indexOf('?');
  const base = question === -1 ? topic : topic.slice(0, question);
  if (base === OAUTH2_TOPIC) return { kind: 'oauth2' };
  if (base === '') return { kind: 'other' };
  const slash = base.indexOf('/');
  // PocketBase still matches a bare collection name as its list topic.
  if (slash === -1) return { kind: 'record', collection: base, recordId: '*' };
  const collection = base.slice(0, slash);
  const recordId = base.slice(slash + 1);
  if (collection === '' || recordId === '' || recordId.includes('/')) return { kind: 'other' };
  return { kind: 'record', collection, recordId };
}

/** `X-Token` and `xToken` → `x_token`, as PocketBase's inflector names headers for rules. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** Go's `cast.ToString`: scalars as text, anything else (objects, lists, null) as "". */
function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

function textMap(value: unknown, key: (name: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [name, item] of Object.entries(value)) out[key(name)] = toText(item);
  return out;
}

/**
 * The `options` query parameter of a topic (`{"query":{…},"headers":{…}}`). Malformed options
 * are ignored rather than refused, as PocketBase ignores them: the topic then has none.
 */
export function parseTopicOptions(topic: string): SubscriptionOptions {
  const question = topic.indexOf('?');
  const none = { query: {}, headers: {} };
  if (question === -1) return none;
  const raw = new URLSearchParams(topic.slice(question + 1)).get('options');
  if (!raw) return none;
  let decoded: unknown;
  try {
    decoded = JSON.parse(raw);
  } catch {
    return none;
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return none;
  const { query, headers } = decoded as Record<string, unknown>;
  return { query: textMap(query, (name) => name), headers: textMap(headers, snakeCase) };
}
