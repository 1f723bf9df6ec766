import { notFound, PG_POOL } from '@hivebase/platform';
import { type RecordAccess, RecordReader, RecordsError, type RecordWriter } from '@hivebase/records';
import {
  ExtensionRegistry,
  extensionRecordHooks,
  findRecordById,
  isSuperuser,
  OutboxWaker,
  outboxRecordWriter,
  type RecordRow,
  type RequestAuth,
  RequestAuthenticator,
  ruleContextOf,
  SchemaRegistry,
  StorageRecordFileStore,
} from '@hivebase/runtime';
import {
  type AuthCollection,
  type Collection,
  findSingleColumnUniqueIndex,
  quoteIdent,
  randomString,
} from '@hivebase/schema';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Pool, PoolClient } from 'pg';

/**
 * The condition (on `$1`) that finds an auth record by a unique identity field, following the
 * field's single-column unique index as PocketBase does: case-insensitive only when the index says
 * `COLLATE NOCASE`, exact otherwise, so lookup and uniqueness agree. Null without such an index
 * (PocketBase then finds nothing).
 */
export function identityCondition(collection: AuthCollection, fieldName: string): string | null {
  const index = findSingleColumnUniqueIndex(collection.indexes, fieldName);
  if (!index) return null;
  const column = quoteIdent(fieldName);
  return index.items[0]?.collate === 'NOCASE' ? `lower(${column}) = lower($1)` : `${column}::text = $1`;
}

/** The auth service's sign-in bookkeeping collections, written only by the system. */
export type AuthSystemCollection = '_otps' | '_mfas' | '_authOrigins' | '_externalAuths';

/** The system's own writes: no rules, and the hidden system fields (tokenKey) writable. */
const SYSTEM_ACCESS: RecordAccess = {
  isSuperuser: true,
  system: true,
  request: { context: 'default', method: 'POST', headers: {}, query: {}, body: {}, auth: null },
};

/** A request's body as an object (rules read it as `@request.body`). */
export const bodyObject = (body: unknown): Record<string, unknown> =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};

/** The auth service's access to auth records: lookups, system writes (through the outbox) and JSON. */
@Injectable()
export class AuthRecords {
  readonly reader: RecordReader;
  /** Writes through the outbox; flows that need one transaction (OAuth2) pass their client. */
  readonly writer: RecordWriter;

  constructor(
    @Inject(SchemaRegistry) readonly registry: SchemaRegistry,
    @Inject(PG_POOL) readonly pool: Pool,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(StorageRecordFileStore) files: StorageRecordFileStore,
    @Inject(OutboxWaker) waker: OutboxWaker,
    @Inject(ExtensionRegistry) extensions: ExtensionRegistry,
  ) {
    this.reader = new RecordReader(pool, registry);
    // With the file store: OAuth2 sign-up stores the provider's avatar in a file field. Model
    // hooks run for these writes too (a sign-up is a create), as PocketBase's do.
    this.writer = outboxRecordWriter(pool, registry, {
      files,
      waker,
      hooks: extensionRecordHooks(extensions, pool, registry),
    });
  }

  /** The auth collection named in the route (id or name), else PocketBase's 404. */
  collectionOrThrow(idOrName: string): AuthCollection {
    const collection = this.registry.find(idOrName);
    if (collection?.type !== 'auth') throw notFound('Missing or invalid auth collection context.');
    return collection;
  }

  findById(collection: AuthCollection, id: string): Promise<RecordRow | null> {
    return findRecordById(this.pool, collection, id);
  }

  /** The record whose email is `email`, compared as the email's unique index compares (see `identityCondition`). */
  findByEmail(collection: AuthCollection, email: string): Promise<RecordRow | null> {
    return this.findByIdentity(collection, 'email', email);
  }

  /** The record whose unique identity field `fieldName` holds `value` (see `identityCondition`). */
  async findByIdentity(collection: AuthCollection, fieldName: string, value: string): Promise<RecordRow | null> {
    const condition = identityCondition(collection, fieldName);
    if (value === '' || !condition) return null;
    const { rows } = await this.pool.query<RecordRow>(
      `SELECT * FROM ${quoteIdent(collection.name)} WHERE ${condition} LIMIT 1`,
      [value],
    );
    return rows[0] ?? null;
  }

  /**
   * Writes `values` as the system (no rules, manager rights: `verified`, `email` and a password
   * without the old one), with the usual validation, hashing and `record.changed` event.
   */
  async systemUpdate(collection: AuthCollection, id: string, values: Record<string, unknown>): Promise<RecordRow> {
    const access: RecordAccess = {
      isSuperuser: true,
      request: { context: 'default', method: 'POST', headers: {}, query: {}, body: {}, auth: null },
    };
    await this.writer.update(collection, id, values, access);
    // A new password or email is a new tokenKey: the record's other sessions end on every replica now.
    if ('password' in values || 'email' in values) await this.authenticator.tokenKeyChanged(collection.id, id);
    const row = await this.findById(collection, id);
    if (!row) throw notFound();
    return row;
  }

  /**
   * Creates a record of a bookkeeping collection through the writer (validation, autodates, its
   * `record.changed` event in the same statement); `tx` joins an open transaction.
   */
  async createSystemRecord(name: AuthSystemCollection, values: Record<string, unknown>, tx?: PoolClient) {
    return this.writer.create(this.systemCollection(name), values, SYSTEM_ACCESS, tx);
  }

  /** Rewrites a bookkeeping record as is, which renews its `updated` (an origin seen again). */
  async touchSystemRecord(name: AuthSystemCollection, id: string, tx?: PoolClient): Promise<void> {
    await this.ignoringGone(this.writer.update(this.systemCollection(name), id, {}, SYSTEM_ACCESS, tx));
  }

  /** Deletes a bookkeeping record through the writer; one already gone (a concurrent use) is no error. */
  async deleteSystemRecord(name: AuthSystemCollection, id: string, tx?: PoolClient): Promise<void> {
    await this.ignoringGone(this.writer.delete(this.systemCollection(name), id, SYSTEM_ACCESS, tx));
  }

  /** Deletes every bookkeeping record of `name` that belongs to the auth record; how many went. */
  async deleteSystemRecordsOf(
    name: AuthSystemCollection,
    collection: AuthCollection,
    recordId: string,
    tx?: PoolClient,
  ): Promise<number> {
    const { rows } = await (tx ?? this.pool).query<{ id: string }>(
      `SELECT id FROM ${quoteIdent(name)} WHERE "collectionRef" = $1 AND "recordRef" = $2`,
      [collection.id, recordId],
    );
    for (const { id } of rows) await this.deleteSystemRecord(name, id, tx);
    return rows.length;
  }

  /**
   * A new tokenKey for the record, written by the writer (its event tells realtime the sessions
   * ended); the caller tells the authenticator once committed.
   */
  async renewTokenKey(collection: AuthCollection, id: string, tx?: PoolClient): Promise<void> {
    await this.writer.update(collection, id, { tokenKey: randomString(50) }, SYSTEM_ACCESS, tx);
  }

  private systemCollection(name: AuthSystemCollection): Collection {
    const collection = this.registry.find(name);
    if (!collection) throw new Error(`the system collection ${name} is missing`);
    return collection;
  }

  private async ignoringGone(write: Promise<unknown>): Promise<void> {
    try {
      await write;
    } catch (error) {
      if (!(error instanceof RecordsError && error.code === 'records_not_found')) throw error;
    }
  }

  /** What rules and record JSON see for this request when `auth` is its caller. */
  access(request: FastifyRequest, auth: RequestAuth | null, body: unknown): RecordAccess {
    return { isSuperuser: isSuperuser(auth), request: ruleContextOf(request, auth, bodyObject(body)) };
  }
}
