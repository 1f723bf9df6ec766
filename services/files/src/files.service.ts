import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { ApiError, notFound, PG_POOL } from '@hivebase/platform';
import { recordMatchesRule } from '@hivebase/records';
import {
  isSuperuser,
  type RequestAuth,
  RequestAuthenticator,
  ruleContextOf,
  SchemaRegistry,
  STORAGE_DRIVER,
  SuperuserIps,
  signRecordToken,
} from '@hivebase/runtime';
import {
  type Collection,
  type FileField,
  findViewFileSource,
  isMultiValue,
  quoteIdent,
  SUPERUSERS_COLLECTION_NAME,
  type ViewCollection,
  type ViewColumnOrigin,
  type ViewFileSource,
  ViewQueryError,
  viewColumnOrigins,
} from '@hivebase/schema';
import {
  type ByteRange,
  InvalidObjectKeyError,
  isSafeFileName,
  recordFileKey,
  type StorageDriver,
  type StoredObject,
  thumbKey,
} from '@hivebase/storage';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { ThumbCache } from './serve/thumb-cache';
import { DEFAULT_THUMB_SIZES, makeThumb, THUMBABLE_TYPES, thumbPipeline } from './serve/thumbnails';

/** What to serve for a file request: the object and the name it goes out under. */
export interface ServedFile {
  key: string;
  object: StoredObject;
  name: string;
  /** The whole file, when it is a thumb held in memory. */
  bytes?: Buffer;
}

/** The record directory a file is stored in: its own record's, or for a view its source record's. */
interface FileHome {
  collectionId: string;
  recordId: string;
}

/**
 * PocketBase's file endpoints: finds the record and the file field naming the file, checks
 * protected files against the view rule with the file token's auth, and makes thumbs once.
 */
@Injectable()
export class FilesService {
  private readonly logger = new Logger('Files');
  // Concurrent first requests for one thumb share one generation.
  private readonly generating = new Map<string, Promise<void>>();
  private readonly thumbs = new ThumbCache();
  // A view's column origins, probed once per schema snapshot (a reload brings new collection objects).
  private readonly viewOrigins = new WeakMap<ViewCollection, Promise<ReadonlyMap<string, ViewColumnOrigin>>>();

  constructor(
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(SuperuserIps) private readonly superuserIps: SuperuserIps,
  ) {}

  /** A short-lived file token for the signed-in record (PocketBase's `POST /api/files/token`). */
  async token(request: FastifyRequest): Promise<{ token: string }> {
    const auth = await this.authenticator.of(request);
    if (!auth) throw new ApiError(401, 'The request requires valid record authorization token.');
    return {
      token: signRecordToken(
        auth.collection,
        { id: auth.record.id, tokenKey: String(auth.record.tokenKey) },
        'fileToken',
      ),
    };
  }

  /** The file (or its thumb) to serve; any miss is PocketBase's bare 404. */
  async resolve(
    request: FastifyRequest,
    collectionIdOrName: string,
    recordId: string,
    fileName: string,
    query: { thumb?: string; token?: string },
  ): Promise<ServedFile> {
    const collection = this.registry.find(collectionIdOrName);
    if (!collection || !isSafeFileName(fileName) || !/^\w{1,100}$/.test(recordId)) throw notFound();
    const field = await this.fieldHolding(collection, recordId, fileName);
    if (!field) throw notFound();
    if (field.protected && !(await this.mayViewProtected(request, collection, recordId, query.token))) {
      throw notFound();
    }
    // The record and the rule checked are the view's; the bytes are stored with the source record.
    const home =
      collection.type === 'view'
        ? await this.viewFileHome(collection, field, fileName)
        : { collectionId: collection.id, recordId };
    if (!home) throw notFound();
    const key = recordFileKey(home.collectionId, home.recordId, fileName);
    const size = query.thumb ?? '';
    const thumbWanted = size !== '' && (DEFAULT_THUMB_SIZES.includes(size) || (field.thumbs ?? []).includes(size));
    // A thumb made before is served without looking at the original (it was thumbable then).
    const made = thumbWanted ? await this.madeThumb(home, fileName, size) : null;
    if (made) return made;
    const object = await this.storage.stat(key);
    if (!object) throw notFound();
    if (!thumbWanted || !THUMBABLE_TYPES.has(object.contentType)) return { key, object, name: fileName };
    return (await this.thumb(home, fileName, size, key)) ?? { key, object, name: fileName };
  }

  /** A stored thumb of the file, if one was made already. */
  private async madeThumb(home: FileHome, fileName: string, size: string) {
    let key: string;
    try {
      key = thumbKey(home.collectionId, home.recordId, fileName, size);
    } catch (error) {
      if (error instanceof InvalidObjectKeyError) return null;
      throw error;
    }
    const name = `${size}_${fileName}`;
    const cached = this.thumbs.get(key);
    if (cached) return { key, name, ...cached };
    const object = await this.storage.stat(key);
    if (!object) return null;
    if (object.size <= this.thumbs.maxEntryBytes) {
      const found = await this.storage.get(key, undefined, object);
      if (found) {
        const bytes = await buffer(found.body);
        this.thumbs.set(key, { object, bytes });
        return { key, object, name, bytes };
      }
    }
    return { key, object, name };
  }

  /** The stored bytes of what `resolve` found (it may have gone since: then a 404). */
  async open(served: ServedFile, range?: ByteRange): Promise<Readable | Buffer> {
    if (served.bytes) return range ? served.bytes.subarray(range.start, range.end + 1) : served.bytes;
    const found = await this.storage.get(served.key, range, served.object);
    if (!found) throw notFound();
    return found.body;
  }

  /** The thumb, made and stored on first request; `null` falls back to the original. */
  private async thumb(home: FileHome, fileName: string, size: string, originalKey: string): Promise<ServedFile | null> {
    let key: string;
    try {
      key = thumbKey(home.collectionId, home.recordId, fileName, size);
    } catch (error) {
      if (error instanceof InvalidObjectKeyError) return null;
      throw error;
    }
    let object = await this.storage.stat(key);
    if (!object) {
      let running = this.generating.get(key);
      if (!running) {
        running = this.generate(originalKey, key, size).finally(() => this.generating.delete(key));
        this.generating.set(key, running);
      }
      try {
        await running;
      } catch (error) {
        this.logger.warn({ err: error, thumb: key }, 'fallback to original - failed to create the thumb');
        return null;
      }
      object = await this.storage.stat(key);
      if (!object) return null;
    }
    return { key, object, name: `${size}_${fileName}` };
  }

  private async generate(originalKey: string, key: string, size: string): Promise<void> {
    const pipeline = thumbPipeline(size);
    if (!pipeline) throw new Error(`thumb size ${size} is not made`);
    const original = await this.storage.get(originalKey);
    if (!original) throw new Error('the original is gone');
    const bytes = await makeThumb(original.body, pipeline);
    await this.storage.put(key, Readable.from([bytes]), {
      contentType: original.object.contentType,
      size: bytes.length,
    });
  }

  /** The file field of the record whose value names `fileName`, if any. */
  private async fieldHolding(collection: Collection, recordId: string, fileName: string): Promise<FileField | null> {
    const fileFields = collection.fields.filter((field): field is FileField => field.type === 'file');
    if (fileFields.length === 0) return null;
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT ${fileFields.map((field) => quoteIdent(field.name)).join(', ')} FROM ${quoteIdent(collection.name)} WHERE id = $1`,
      [recordId],
    );
    const row = rows[0];
    if (!row) return null;
    return (
      fileFields.find((field) => {
        const value = row[field.name];
        return Array.isArray(value) ? value.includes(fileName) : value === fileName;
      }) ?? null
    );
  }

  /**
   * Where a view record's file is stored, as PocketBase's `FindRecordByViewFile`: the view's file
   * field is followed through its query (nested views too) to a collection's file field, and the
   * first record of that collection holding the name owns the file. `null` (a 404) when the field
   * is computed, the query no longer runs, or no record holds the name.
   */
  private async viewFileHome(view: ViewCollection, field: FileField, fileName: string): Promise<FileHome | null> {
    let source: ViewFileSource | null;
    try {
      source = await findViewFileSource(this.registry, view, field.name, (target) => this.originsOf(target));
    } catch (error) {
      if (error instanceof ViewQueryError) return null;
      throw error;
    }
    if (!source) return null;
    const column = quoteIdent(source.field.name);
    const holds = isMultiValue(source.field) ? `$1 = ANY(${column})` : `${column} = $1`;
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM ${quoteIdent(source.collection.name)} WHERE ${holds} LIMIT 1`,
      [fileName],
    );
    const holder = rows[0];
    return holder ? { collectionId: source.collection.id, recordId: holder.id } : null;
  }

  /** The view query's column origins, probed on a connection of its own (read-only, rolled back). */
  private originsOf(view: ViewCollection): Promise<ReadonlyMap<string, ViewColumnOrigin>> {
    let origins = this.viewOrigins.get(view);
    if (!origins) {
      origins = this.probeOrigins(view.viewQuery);
      this.viewOrigins.set(view, origins);
      // A failure is not kept: the next request probes again.
      origins.catch(() => {
        if (this.viewOrigins.get(view) === origins) this.viewOrigins.delete(view);
      });
    }
    return origins;
  }

  private async probeOrigins(viewQuery: string): Promise<ReadonlyMap<string, ViewColumnOrigin>> {
    const client = await this.pool.connect();
    try {
      return await viewColumnOrigins(client, viewQuery);
    } finally {
      client.release();
    }
  }

  /** A protected file: the view rule, judged for the file token's auth (a guest without one). */
  private async mayViewProtected(
    request: FastifyRequest,
    collection: Collection,
    recordId: string,
    token: string | undefined,
  ): Promise<boolean> {
    const verified = token ? await this.authenticator.verify(token, 'fileToken') : null;
    let auth: RequestAuth | null = verified ? { collection: verified.collection, record: verified.record } : null;
    // A superuser's token from outside `superuserIPs` counts as no token, as PocketBase.
    if (!this.superuserIps.allows(request, auth)) auth = null;
    if (isSuperuser(auth)) return true;
    if (collection.viewRule === null || collection.name === SUPERUSERS_COLLECTION_NAME) return false;
    const context = { ...ruleContextOf(request, auth), context: 'protectedFile' as const };
    return recordMatchesRule(this.pool, this.registry, collection, recordId, collection.viewRule, context);
  }
}
