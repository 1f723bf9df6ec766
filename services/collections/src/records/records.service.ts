import { PG_POOL } from '@hivebase/platform';
import { type ListParams, type RecordAccess, RecordReader, RecordsError, type RecordWriter } from '@hivebase/records';
import {
  isSuperuser,
  OutboxWaker,
  outboxRecordWriter,
  RequestAuthenticator,
  ruleContextOf,
  SchemaRegistry,
  StorageRecordFileStore,
} from '@hivebase/runtime';
import type { Collection } from '@hivebase/schema';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Pool, PoolClient } from 'pg';

/** A record write as a batch sub-request names it; `upsert` updates when `body.id` exists, else creates. */
export type RecordWriteRequest =
  | { action: 'create' | 'upsert'; collection: string; body: Record<string, unknown>; expand?: string }
  | { action: 'update'; collection: string; id: string; body: Record<string, unknown>; expand?: string }
  | { action: 'delete'; collection: string; id: string };

/** The records endpoints over the records engine, with the schema registry as live metadata. */
@Injectable()
export class RecordsService {
  private readonly reader: RecordReader;
  private readonly writer: RecordWriter;

  constructor(
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(PG_POOL) pool: Pool,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(StorageRecordFileStore) files: StorageRecordFileStore,
    @Inject(OutboxWaker) waker: OutboxWaker,
  ) {
    this.reader = new RecordReader(pool, registry);
    this.writer = outboxRecordWriter(pool, registry, { files, waker });
  }

  /** After a batch's transaction ends: its replaced files go (commit) or its new ones do (rollback). */
  settleFiles(tx: PoolClient, committed: boolean): Promise<void> {
    return this.writer.settleFiles(tx, committed);
  }

  collectionOrThrow(idOrName: string): Collection {
    const collection = this.registry.find(idOrName);
    if (!collection) throw new RecordsError('records_missing_collection');
    return collection;
  }

  async access(request: FastifyRequest, body?: unknown): Promise<RecordAccess> {
    const auth = await this.authenticator.of(request);
    const bodyObject =
      typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    return { isSuperuser: isSuperuser(auth), request: ruleContextOf(request, auth, bodyObject) };
  }

  async list(request: FastifyRequest, idOrName: string, params: ListParams) {
    return this.reader.list(this.collectionOrThrow(idOrName), params, await this.access(request));
  }

  async view(request: FastifyRequest, idOrName: string, id: string, expand?: string) {
    return this.reader.view(this.collectionOrThrow(idOrName), id, await this.access(request), expand);
  }

  async create(request: FastifyRequest, idOrName: string, body: unknown, expand?: string) {
    const collection = this.collectionOrThrow(idOrName);
    const access = await this.access(request, body);
    return this.reader.expandWritten(collection, await this.writer.create(collection, body, access), expand, access);
  }

  async update(request: FastifyRequest, idOrName: string, id: string, body: unknown, expand?: string) {
    const collection = this.collectionOrThrow(idOrName);
    const access = await this.access(request, body);
    const written = await this.writer.update(collection, id, body, access);
    // A new password or email means a new tokenKey: old sessions end on every replica now, not at cache expiry.
    if (
      collection.type === 'auth' &&
      typeof body === 'object' &&
      body !== null &&
      ('password' in body || 'email' in body)
    ) {
      await this.authenticator.tokenKeyChanged(collection.id, id);
    }
    return this.reader.expandWritten(collection, written, expand, access);
  }

  async delete(request: FastifyRequest, idOrName: string, id: string) {
    return this.writer.delete(this.collectionOrThrow(idOrName), id, await this.access(request));
  }

  /**
   * One write inside the caller's transaction `tx` (a batch's), with the access the caller
   * resolved for it: reads, rules, expand and the outbox event all go through `tx`.
   * Answers as the matching endpoint would: 200 and the record, or 204 and null.
   */
  async writeInTransaction(
    tx: PoolClient,
    access: RecordAccess,
    write: RecordWriteRequest,
  ): Promise<{ status: 200 | 204; body: Record<string, unknown> | null }> {
    const collection = this.collectionOrThrow(write.collection);
    const reader = new RecordReader(tx, this.registry);
    if (write.action === 'delete') {
      await this.writer.delete(collection, write.id, access, tx);
      return { status: 204, body: null };
    }
    let written: Record<string, unknown>;
    // PocketBase's upsert looks the id up regardless of rules (an empty rule); the update rule then applies.
    const upsertId = write.action === 'upsert' ? upsertIdOf(write.body) : '';
    if (write.action === 'update') {
      written = await this.writer.update(collection, write.id, write.body, access, tx);
    } else if (upsertId !== '' && (await reader.findVisible(collection, upsertId, '', access))) {
      // The upsert runs as the PATCH or POST it turns into, so `@request.method` says which.
      const asPatch = { ...access, request: { ...access.request, method: 'PATCH' } };
      written = await this.writer.update(collection, upsertId, write.body, asPatch, tx);
    } else {
      const asPost = write.action === 'upsert' ? { ...access, request: { ...access.request, method: 'POST' } } : access;
      written = await this.writer.create(collection, write.body, asPost, tx);
    }
    return { status: 200, body: await reader.expandWritten(collection, written, write.expand, access) };
  }
}

/** `body.id` as PocketBase's upsert reads it (any scalar as its text). */
function upsertIdOf(body: Record<string, unknown>): string {
  const id = body.id;
  return typeof id === 'string' || typeof id === 'number' || typeof id === 'boolean' ? String(id) : '';
}
