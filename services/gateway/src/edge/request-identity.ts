import { createHmac, timingSafeEqual } from 'node:crypto';
import { AUTH_TOKEN_KEY_CHANGED, type AuthTokenKeyChangedEvent, quoteIdent, SCHEMA_CHANGED } from '@hivebase/contracts';
import { type EventBus, ReplicatedSnapshot } from '@hivebase/platform';
import type { FastifyRequest } from 'fastify';
import type { Pool } from 'pg';

/** Who a request is signed in as, as far as logs and rate limits need to know. */
export interface RequestIdentity {
  collectionId: string;
  collectionName: string;
  recordId: string;
}

/** What the edge knows of a collection: its name, and for auth collections the auth-token secret. */
interface CatalogEntry {
  id: string;
  name: string;
  authSecret: string | null;
}

interface Catalog {
  find(idOrName: string): CatalogEntry | undefined;
}

function catalogOf(entries: CatalogEntry[]): Catalog {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const byName = new Map(entries.map((entry) => [entry.name.toLowerCase(), entry]));
  return { find: (idOrName) => byId.get(idOrName) ?? byName.get(idOrName.toLowerCase()) };
}

const SUPERUSERS = '_superusers';
/** How long a record's tokenKey is trusted from cache (a tokenKey change also evicts it at once). */
const TOKEN_KEY_TTL_MS = 5_000;
const TOKEN_KEY_CACHE_MAX = 10_000;
const RESOLVED = Symbol('hivebase.edgeIdentity');
type WithIdentity = FastifyRequest & { [RESOLVED]?: Promise<RequestIdentity | null> };

/** base64url → Buffer, or null when it is not base64url. */
function base64url(text: string): Buffer | null {
  return /^[A-Za-z0-9_-]*$/.test(text) ? Buffer.from(text, 'base64url') : null;
}

/**
 * Tells, at the edge, whose auth token a request carries, checking it as the services do
 * (PocketBase's HS256 auth token keyed by the record's tokenKey plus the collection's secret,
 * unexpired, of type `auth`). The gateway may not use the runtime library's authenticator (it
 * depends on platform and contracts only), so this is the small read-only part of it the logs and
 * the rate limiter need: a forged or stale token makes the request a guest's here too.
 */
export class RequestIdentities {
  private readonly catalog: ReplicatedSnapshot<Catalog>;
  private readonly tokenKeys = new Map<string, { tokenKey: string | null; at: number }>();
  /** Tokens already verified, with the tokenKey they were verified against (skips parse and HMAC). */
  private readonly verified = new Map<
    string,
    { identity: RequestIdentity; tokenKey: string; secret: string; exp: number }
  >();
  private unsubscribe?: () => Promise<void>;

  constructor(
    private readonly pool: Pool,
    private readonly bus: EventBus,
  ) {
    this.catalog = new ReplicatedSnapshot<Catalog>(
      {
        name: RequestIdentities.name,
        bus,
        event: SCHEMA_CHANGED,
        load: async () => {
          const { rows } = await pool.query<CatalogEntry & { version: string }>(
            `SELECT id, name, CASE WHEN type = 'auth' THEN data #>> '{authToken,secret}' END AS "authSecret",
                    coalesce((SELECT value #>> '{}' FROM "_params" WHERE id = 'schemaVersion'), '0') AS version
             FROM "_collections"`,
          );
          return { value: catalogOf(rows), version: rows[0]?.version ?? '0' };
        },
        version: async () => {
          const { rows } = await pool.query<{ version: string }>(
            `SELECT coalesce((SELECT value #>> '{}' FROM "_params" WHERE id = 'schemaVersion'), '0') AS version`,
          );
          return rows[0].version;
        },
        checkEveryMs: 2_000,
      },
      catalogOf([]),
    );
  }

  async start(): Promise<void> {
    await this.catalog.start();
    this.unsubscribe = await this.bus.subscribe<AuthTokenKeyChangedEvent>(AUTH_TOKEN_KEY_CHANGED, (event) => {
      this.tokenKeys.delete(`${event.collectionId}/${event.recordId}`);
    });
  }

  async stop(): Promise<void> {
    await this.catalog.stop();
    await this.unsubscribe?.();
  }

  /** The collection's name by id or name (case-insensitive), undefined if there is none. */
  collectionName(idOrName: string): string | undefined {
    return this.catalog.value.find(idOrName)?.name;
  }

  /** The request's signed-in record, resolved once per request; null for guests and bad tokens. */
  of(request: FastifyRequest): Promise<RequestIdentity | null> {
    const withIdentity = request as WithIdentity;
    withIdentity[RESOLVED] ??= this.verify(request.headers.authorization).catch(() => null);
    return withIdentity[RESOLVED];
  }

  private async verify(header: string | undefined): Promise<RequestIdentity | null> {
    if (!header) return null;
    const token = header.replace(/^bearer\s+/i, '').trim();
    const known = this.verified.get(token);
    if (known && known.exp * 1000 > Date.now()) {
      // Still valid while the record's tokenKey and the collection's secret are the ones it was signed with.
      const cached = this.tokenKeys.get(`${known.identity.collectionId}/${known.identity.recordId}`);
      const secret = this.catalog.value.find(known.identity.collectionId)?.authSecret;
      if (
        cached &&
        Date.now() - cached.at < TOKEN_KEY_TTL_MS &&
        cached.tokenKey === known.tokenKey &&
        secret === known.secret
      ) {
        return known.identity;
      }
    }
    const [head, body, signature, extra] = token.split('.');
    if (!head || !body || !signature || extra !== undefined) return null;
    const headBytes = base64url(head);
    const bodyBytes = base64url(body);
    const signatureBytes = base64url(signature);
    if (!headBytes || !bodyBytes || !signatureBytes) return null;
    let header_: unknown;
    let claims: Record<string, unknown>;
    try {
      header_ = JSON.parse(headBytes.toString('utf8'));
      claims = JSON.parse(bodyBytes.toString('utf8'));
    } catch {
      return null;
    }
    if ((header_ as { alg?: unknown })?.alg !== 'HS256' || typeof claims !== 'object' || claims === null) return null;
    const { id, collectionId, type, exp } = claims;
    if (typeof id !== 'string' || typeof collectionId !== 'string' || type !== 'auth') return null;
    if (typeof exp !== 'number' || exp * 1000 <= Date.now()) return null;
    const collection = this.catalog.value.find(collectionId);
    if (!collection || collection.id !== collectionId || collection.authSecret === null) return null;
    const tokenKey = await this.tokenKeyOf(collection, id);
    if (tokenKey === null) return null;
    const expected = createHmac('sha256', tokenKey + collection.authSecret)
      .update(`${head}.${body}`)
      .digest();
    if (expected.length !== signatureBytes.length || !timingSafeEqual(expected, signatureBytes)) return null;
    const identity = { collectionId, collectionName: collection.name, recordId: id };
    if (this.verified.size >= TOKEN_KEY_CACHE_MAX) this.verified.clear();
    this.verified.set(token, { identity, tokenKey, secret: collection.authSecret, exp });
    return identity;
  }

  private async tokenKeyOf(collection: CatalogEntry, recordId: string): Promise<string | null> {
    const key = `${collection.id}/${recordId}`;
    const cached = this.tokenKeys.get(key);
    if (cached && Date.now() - cached.at < TOKEN_KEY_TTL_MS) return cached.tokenKey;
    // The name comes from `_collections`, never from the request; through the identifier gate.
    const table = quoteIdent(collection.name);
    const { rows } = await this.pool.query<{ tokenKey: unknown }>(`SELECT "tokenKey" FROM ${table} WHERE id = $1`, [
      recordId,
    ]);
    const tokenKey = typeof rows[0]?.tokenKey === 'string' ? rows[0].tokenKey : null;
    if (this.tokenKeys.size >= TOKEN_KEY_CACHE_MAX) this.tokenKeys.clear();
    this.tokenKeys.set(key, { tokenKey, at: Date.now() });
    return tokenKey;
  }
}

/** Whether the identity is a superuser's. */
export const isSuperuserIdentity = (identity: RequestIdentity | null) => identity?.collectionName === SUPERUSERS;
