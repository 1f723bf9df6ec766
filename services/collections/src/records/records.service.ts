import { PG_POOL } from '@hivebase/platform';
import { type ListParams, type RecordAccess, RecordReader, RecordsError, type RecordWriter } from '@hivebase/records';
import {
  ExtensionRegistry,
  extensionRecordHooks,
  type HookAuth,
  type HookName,
  type HookRequest,
  hookAuthOf,
  hookCollectionOf,
  hookRequestOf,
  isSuperuser,
  OutboxWaker,
  outboxRecordWriter,
  type RecordDeleteRequestEvent,
  RequestAuthenticator,
  ruleContextOf,
  SchemaRegistry,
  StorageRecordFileStore,
} from '@hivebase/runtime';
import type { Collection } from '@hivebase/schema';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Pool, PoolClient } from 'pg';

type Json = Record<string, unknown>;
type RecordsPage = Awaited<ReturnType<RecordReader['list']>>;

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
    @Inject(ExtensionRegistry) private readonly extensions: ExtensionRegistry,
  ) {
    this.reader = new RecordReader(pool, registry);
    this.writer = outboxRecordWriter(pool, registry, {
      files,
      waker,
      hooks: extensionRecordHooks(extensions, pool, registry),
    });
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

  // Each endpoint asks `hooked()` (a map lookup) first: without a hook for it the request takes
  // the same path, with the same awaits, as before extensions existed.

  list(request: FastifyRequest, idOrName: string, params: ListParams): Promise<RecordsPage> {
    const collection = this.collectionOrThrow(idOrName);
    if (this.hooked('onRecordsListRequest', collection)) return this.listHooked(request, collection, params);
    return this.listRecords(request, collection, params);
  }

  private async listRecords(request: FastifyRequest, collection: Collection, params: ListParams) {
    return this.reader.list(collection, params, await this.access(request));
  }

  private async listHooked(request: FastifyRequest, collection: Collection, params: ListParams) {
    const event = { ...(await this.requestEvent(request, collection)), result: null as RecordsPage | null };
    await this.extensions.run('onRecordsListRequest', event.collection, event, async () => {
      event.result = await this.listRecords(request, collection, params);
    });
    return answerOf(event.result);
  }

  view(request: FastifyRequest, idOrName: string, id: string, expand?: string): Promise<Json> {
    const collection = this.collectionOrThrow(idOrName);
    if (this.hooked('onRecordViewRequest', collection)) return this.viewHooked(request, collection, id, expand);
    return this.viewRecord(request, collection, id, expand);
  }

  private async viewRecord(request: FastifyRequest, collection: Collection, id: string, expand?: string) {
    return this.reader.view(collection, id, await this.access(request), expand);
  }

  private async viewHooked(request: FastifyRequest, collection: Collection, id: string, expand?: string) {
    const event = { ...(await this.requestEvent(request, collection)), id, record: null as Json | null };
    await this.extensions.run('onRecordViewRequest', event.collection, event, async () => {
      event.record = await this.viewRecord(request, collection, event.id, expand);
    });
    return answerOf(event.record);
  }

  /** `request.body` is read after the collection lookup (PocketBase's order: 404 before 400). */
  create(request: FastifyRequest, idOrName: string, expand?: string): Promise<Json> {
    const collection = this.collectionOrThrow(idOrName);
    const body: unknown = request.body;
    if (this.hooked('onRecordCreateRequest', collection)) return this.createHooked(request, collection, body, expand);
    return this.createRecord(request, collection, body, expand);
  }

  private async createRecord(request: FastifyRequest, collection: Collection, body: unknown, expand?: string) {
    const access = await this.access(request, body);
    return this.reader.expandWritten(collection, await this.writer.create(collection, body, access), expand, access);
  }

  private async createHooked(request: FastifyRequest, collection: Collection, body: unknown, expand?: string) {
    const event = {
      ...(await this.requestEvent(request, collection)),
      body: bodyOf(body),
      record: null as Json | null,
    };
    await this.extensions.run('onRecordCreateRequest', event.collection, event, async () => {
      event.record = await this.createRecord(request, collection, bodyOrRaw(event.body, body), expand);
    });
    return answerOf(event.record);
  }

  /** `request.body` is read after the collection lookup, as in `create`. */
  update(request: FastifyRequest, idOrName: string, id: string, expand?: string): Promise<Json> {
    const collection = this.collectionOrThrow(idOrName);
    const body: unknown = request.body;
    if (this.hooked('onRecordUpdateRequest', collection)) {
      return this.updateHooked(request, collection, id, body, expand);
    }
    return this.updateRecord(request, collection, id, body, expand);
  }

  private async updateRecord(
    request: FastifyRequest,
    collection: Collection,
    id: string,
    body: unknown,
    expand?: string,
  ) {
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

  private async updateHooked(
    request: FastifyRequest,
    collection: Collection,
    id: string,
    body: unknown,
    expand?: string,
  ) {
    const fields = { id, body: bodyOf(body), record: null as Json | null };
    const event = { ...(await this.requestEvent(request, collection)), ...fields };
    await this.extensions.run('onRecordUpdateRequest', event.collection, event, async () => {
      event.record = await this.updateRecord(request, collection, event.id, bodyOrRaw(event.body, body), expand);
    });
    return answerOf(event.record);
  }

  /**
   * A DELETE's body is read as PocketBase's `RequestInfo` reads it, after the collection lookup:
   * the delete rule sees it as `@request.body`, and one that does not read is a 400.
   */
  delete(request: FastifyRequest, idOrName: string, id: string): Promise<void> {
    const collection = this.collectionOrThrow(idOrName);
    const body: unknown = request.body;
    if (this.hooked('onRecordDeleteRequest', collection)) return this.deleteHooked(request, collection, id, body);
    return this.deleteRecord(request, collection, id, body);
  }

  private async deleteRecord(request: FastifyRequest, collection: Collection, id: string, body: unknown) {
    return this.writer.delete(collection, id, await this.access(request, body));
  }

  private async deleteHooked(request: FastifyRequest, collection: Collection, id: string, body: unknown) {
    const event = { ...(await this.requestEvent(request, collection)), id };
    await this.extensions.run('onRecordDeleteRequest', event.collection, event, () =>
      this.deleteRecord(request, collection, event.id, body),
    );
  }

  /** Whether an extension hooks `name` on `collection` (one map lookup when none does). */
  private hooked(name: HookName, collection: Collection): boolean {
    return this.extensions.hooksAny(name) && this.extensions.has(name, collection);
  }

  private async requestEvent(request: FastifyRequest, collection: Collection) {
    return {
      collection: hookCollectionOf(collection),
      auth: hookAuthOf(await this.authenticator.of(request)),
      request: hookRequestOf(request),
    };
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
    hookContext?: () => BatchHookContext,
  ): Promise<{ status: 200 | 204; body: Record<string, unknown> | null }> {
    const collection = this.collectionOrThrow(write.collection);
    const reader = new RecordReader(tx, this.registry);
    // A batch's sub-request runs the request hooks of the route it names, as PocketBase's batch does.
    const hookBase = (name: HookName): RequestEventBase | null =>
      hookContext && this.hooked(name, collection)
        ? { collection: hookCollectionOf(collection), ...hookContext() }
        : null;
    if (write.action === 'delete') {
      const base = hookBase('onRecordDeleteRequest');
      if (!base) {
        await this.writer.delete(collection, write.id, access, tx);
        return { status: 204, body: null };
      }
      const event = { ...base, id: write.id };
      await this.extensions.run('onRecordDeleteRequest', event.collection, event, () =>
        this.writer.delete(collection, event.id, access, tx),
      );
      return { status: 204, body: null };
    }
    // PocketBase's upsert looks the id up regardless of rules (an empty rule); the update rule then applies.
    const upsertId = write.action === 'upsert' ? upsertIdOf(write.body) : '';
    let updateId: string | null = null;
    let writeAccess = access;
    if (write.action === 'update') {
      updateId = write.id;
    } else if (upsertId !== '' && (await reader.findVisible(collection, upsertId, '', access))) {
      // The upsert runs as the PATCH or POST it turns into, so `@request.method` says which.
      updateId = upsertId;
      writeAccess = { ...access, request: { ...access.request, method: 'PATCH' } };
    } else if (write.action === 'upsert') {
      writeAccess = { ...access, request: { ...access.request, method: 'POST' } };
    }
    const perform = async (id: string | null, body: unknown) => {
      const written =
        id === null
          ? await this.writer.create(collection, body, writeAccess, tx)
          : await this.writer.update(collection, id, body, writeAccess, tx);
      return reader.expandWritten(collection, written, write.expand, access);
    };
    const hook = updateId === null ? 'onRecordCreateRequest' : 'onRecordUpdateRequest';
    const base = hookBase(hook);
    if (!base) return { status: 200, body: await perform(updateId, write.body) };
    if (updateId === null) {
      const event = { ...base, body: bodyOf(write.body), record: null as Json | null };
      await this.extensions.run('onRecordCreateRequest', event.collection, event, async () => {
        event.record = await perform(null, bodyOrRaw(event.body, write.body));
      });
      return { status: 200, body: answerOf(event.record) };
    }
    const event = { ...base, id: updateId, body: bodyOf(write.body), record: null as Json | null };
    await this.extensions.run('onRecordUpdateRequest', event.collection, event, async () => {
      event.record = await perform(event.id, bodyOrRaw(event.body, write.body));
    });
    return { status: 200, body: answerOf(event.record) };
  }
}

/** Who sends a batch's sub-request and how, as its request hooks see it. */
export interface BatchHookContext {
  auth: HookAuth | null;
  request: HookRequest;
}

type RequestEventBase = Pick<RecordDeleteRequestEvent, 'collection' | 'auth' | 'request'>;

/** A request body as hooks get it: the submitted object (a copy of nothing else: changes are what gets written). */
function bodyOf(body: unknown): Json {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Json) : {};
}

/**
 * What a hooked endpoint answers: the result its handlers left. A handler that skipped `next()`
 * without setting one (and without refusing) leaves PocketBase's 404.
 */
function answerOf<T>(result: T | null): T {
  if (result === null) throw new RecordsError('records_not_found');
  return result;
}

/** The hooks' body, unless the request's was no object (the writer refuses that as it would without hooks). */
function bodyOrRaw(hooked: Json, raw: unknown): unknown {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? hooked : raw;
}

/** `body.id` as PocketBase's upsert reads it (any scalar as its text). */
function upsertIdOf(body: Record<string, unknown>): string {
  const id = body.id;
  return typeof id === 'string' || typeof id === 'number' || typeof id === 'boolean' ? String(id) : '';
}
