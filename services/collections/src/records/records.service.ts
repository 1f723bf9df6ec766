import { type ListParams, type RecordAccess, RecordReader, RecordsError, RecordWriter } from '@hivebase/records';
import type { Collection } from '@hivebase/schema';
import { isSuperuser, PG_POOL, requestAuth, ruleContextOf, SchemaRegistry, writeOutboxEvent } from '@hivebase/server';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Pool } from 'pg';

/** Password hashes and token keys stay in the database; events travel over Redis. */
function withoutSecrets(row: Record<string, unknown>): Record<string, unknown> {
  const { password: _password, tokenKey: _tokenKey, ...rest } = row;
  return rest;
}

/** The records endpoints over the records engine, with the schema registry as live metadata. */
@Injectable()
export class RecordsService {
  private readonly reader: RecordReader;
  private readonly writer: RecordWriter;

  constructor(
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {
    this.reader = new RecordReader(pool, registry);
    // Every write leaves its event in the outbox inside its own transaction; the relay publishes it.
    this.writer = new RecordWriter(pool, registry, (client, { action, collection, record, previous }) =>
      writeOutboxEvent(client, {
        action,
        collectionId: collection.id,
        collectionName: collection.name,
        record: withoutSecrets(record),
        ...(previous ? { previous: withoutSecrets(previous) } : {}),
      }),
    );
  }

  collectionOrThrow(idOrName: string): Collection {
    const collection = this.registry.find(idOrName);
    if (!collection) throw new RecordsError(404, 'Missing collection context.');
    return collection;
  }

  async access(request: FastifyRequest, body?: unknown): Promise<RecordAccess> {
    const auth = await requestAuth(request, this.registry, this.pool);
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
    return this.reader.expandWritten(
      collection,
      await this.writer.update(collection, id, body, access),
      expand,
      access,
    );
  }

  async delete(request: FastifyRequest, idOrName: string, id: string) {
    return this.writer.delete(this.collectionOrThrow(idOrName), id, await this.access(request));
  }
}
