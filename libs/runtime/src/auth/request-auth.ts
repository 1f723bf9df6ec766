import {
  AUTH_RECORD_CHANGED,
  AUTH_TOKEN_KEY_CHANGED,
  type AuthRecordChangedEvent,
  type AuthTokenKeyChangedEvent,
  BACKUP_RESTORED,
} from '@hivebase/contracts';
import { EVENT_BUS, type EventBus, PG_POOL } from '@hivebase/platform';
import { type AuthCollection, quoteIdent, SUPERUSERS_COLLECTION_ID, type TokenKind } from '@hivebase/schema';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { SchemaRegistry } from '../schema/schema-registry';
import { AuthRecordCache, type RecordRow } from './auth-record-cache';
import { peekClaims, type TokenClaims, tokenFromHeader, verifyRecordToken } from './auth-token';

export type { RecordRow } from './auth-record-cache';

/** Who is making a request: an auth record and its collection, or nobody (a guest). */
export interface RequestAuth {
  collection: AuthCollection;
  record: RecordRow;
}

/** A verified token: whose it is and what it says. */
export interface VerifiedToken extends RequestAuth {
  claims: TokenClaims;
}

export const isSuperuser = (auth: RequestAuth | null) => auth?.collection.id === SUPERUSERS_COLLECTION_ID;

const RESOLVED = Symbol('hivebase.requestAuth');
/** Verified auth tokens kept at most (the map starts over when full). */
const VERIFIED_TOKENS_MAX = 10_000;

/** An auth token already verified, and the key material it was verified with. */
interface VerifiedAuthToken {
  claims: TokenClaims;
  tokenKey: string;
  secret: string;
}
type WithAuth = FastifyRequest & { [RESOLVED]?: Promise<RequestAuth | null> };

/** Loads one record by id from a collection's table. */
export async function findRecordById(pool: Pool, collection: { name: string }, id: string): Promise<RecordRow | null> {
  const { rows } = await pool.query<RecordRow>(`SELECT * FROM ${quoteIdent(collection.name)} WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/**
 * Verifies tokens against their record's tokenKey. Auth tokens are checked on nearly every
 * request, so the records they name are cached for a second; a record's change (the outbox's
 * `record.changed`) or a new tokenKey (`auth.tokenKeyChanged`, sent at once by whoever changed it)
 * drops the entry on every replica, and the short lifetime bounds staleness if an event is lost.
 */
@Injectable()
export class RequestAuthenticator implements OnModuleInit, OnApplicationShutdown {
  private readonly cache = new AuthRecordCache();
  /**
   * Auth tokens verified before: while unexpired and signed with the record's current tokenKey
   * and the collection's current secret, verifying again would give the same answer, so the
   * decode and the HMAC are skipped (a client sends the same token on every request).
   */
  private readonly verifiedTokens = new Map<string, VerifiedAuthToken>();
  private readonly unsubscribers: (() => Promise<void>)[] = [];

  constructor(
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribers.push(
      // Updated or deleted auth records only: this process does not receive every record change.
      await this.bus.subscribe<AuthRecordChangedEvent>(AUTH_RECORD_CHANGED, (event) =>
        this.cache.evict(event.collectionId, event.recordId),
      ),
      await this.bus.subscribe<AuthTokenKeyChangedEvent>(AUTH_TOKEN_KEY_CHANGED, (event) =>
        this.cache.evict(event.collectionId, event.recordId),
      ),
      // A restore replaced every auth record at once.
      await this.bus.subscribe(BACKUP_RESTORED, () => this.cache.clear()),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.unsubscribers.splice(0).map((unsubscribe) => unsubscribe()));
  }

  /**
   * The request's auth, from its Authorization header, resolved once per request. An invalid,
   * expired or foreign token makes the request a guest's, as in PocketBase.
   */
  of(request: FastifyRequest): Promise<RequestAuth | null> {
    const withAuth = request as WithAuth;
    withAuth[RESOLVED] ??= this.verify(tokenFromHeader(request.headers.authorization), 'authToken').then(
      (verified) => verified && { collection: verified.collection, record: verified.record },
    );
    return withAuth[RESOLVED];
  }

  /** Makes `request` count as signed in as `auth` from now on (after a sign-in in the same request). */
  static assume(request: FastifyRequest, auth: RequestAuth | null): void {
    (request as WithAuth)[RESOLVED] = Promise.resolve(auth);
  }

  /**
   * Verifies a token of `kind`. Auth tokens may be checked against a cached record; other kinds
   * (verification, password reset, …) guard one-off actions and always read the stored record.
   */
  async verify(token: string | null, kind: TokenKind): Promise<VerifiedToken | null> {
    if (!token) return null;
    if (kind === 'authToken') {
      const known = this.verifiedTokens.get(token);
      if (known) {
        const again = await this.reverify(known);
        if (again) return again;
        this.verifiedTokens.delete(token);
      }
    }
    const peeked = peekClaims(token);
    if (typeof peeked?.collectionId !== 'string' || typeof peeked.id !== 'string') return null;
    const collection = this.registry.find(peeked.collectionId);
    if (collection?.type !== 'auth' || collection.id !== peeked.collectionId) return null;
    const record =
      kind === 'authToken' ? await this.cachedRecord(collection, peeked.id) : await this.load(collection, peeked.id);
    if (!record || typeof record.tokenKey !== 'string') return null;
    const claims = verifyRecordToken(token, collection, record.tokenKey, kind);
    if (!claims) return null;
    if (kind === 'authToken') {
      if (this.verifiedTokens.size >= VERIFIED_TOKENS_MAX) this.verifiedTokens.clear();
      this.verifiedTokens.set(token, { claims, tokenKey: record.tokenKey, secret: collection.authToken.secret });
    }
    return { collection, record, claims };
  }

  /** A verified token's answer again, if it is unexpired and its record's key and collection's secret are unchanged. */
  private async reverify(known: VerifiedAuthToken): Promise<VerifiedToken | null> {
    const { claims } = known;
    if (claims.exp * 1000 <= Date.now()) return null;
    const collection = this.registry.find(claims.collectionId);
    if (collection?.type !== 'auth' || collection.id !== claims.collectionId) return null;
    if (collection.authToken.secret !== known.secret) return null;
    const record = await this.cachedRecord(collection, claims.id);
    if (record?.tokenKey !== known.tokenKey) return null;
    return { collection, record, claims };
  }

  /** Drops every cached auth record here (after a restore; other replicas hear `backup.restored`). */
  forgetAll(): void {
    this.cache.clear();
    this.verifiedTokens.clear();
  }

  /** Tells every replica (this one at once) that the record's tokenKey changed. */
  async tokenKeyChanged(collectionId: string, recordId: string): Promise<void> {
    this.cache.evict(collectionId, recordId);
    await this.bus.publish<AuthTokenKeyChangedEvent>(AUTH_TOKEN_KEY_CHANGED, { collectionId, recordId });
  }

  private async cachedRecord(collection: AuthCollection, id: string): Promise<RecordRow | null> {
    const cached = this.cache.get(collection.id, id);
    if (cached) return cached;
    const row = await this.load(collection, id);
    if (row) this.cache.set(collection.id, row);
    return row;
  }

  private load(collection: AuthCollection, id: string): Promise<RecordRow | null> {
    return findRecordById(this.pool, collection, id);
  }
}
