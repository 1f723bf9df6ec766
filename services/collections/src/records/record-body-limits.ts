import { APP_CONFIG, type BaseConfig } from '@hivebase/platform';
import { fileMaxSize, fileTooLargeError, recordBodyLimit, uploadFieldOf } from '@hivebase/records';
import { addBodyLimitResolver, type RequestBodyLimits, SchemaRegistry, SettingsService } from '@hivebase/runtime';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** PocketBase's batch body limit when `settings.batch.maxBodySize` is 0: 128 MiB. */
export const DEFAULT_BATCH_BODY_LIMIT = 128 * 1024 * 1024;

const RECORD_WRITE = /^\/api\/collections\/([^/?]+)\/records(?:\/[^/?]+)?\/?(?:\?|$)/;

/**
 * Multipart body limits as PocketBase derives them: a record create/update may carry the base
 * limit plus what the collection's file, editor and JSON fields may weigh
 * (`recordBodyLimit`); a batch `settings.batch.maxBodySize` (128 MiB when 0). Enforced while
 * the body streams in: past the body limit a 413, and a record upload past its field's
 * `maxSize` stops there with the field's `validation_file_size_limit` (PocketBase reads the
 * whole body first; the answer is the same, without reading up to the body limit).
 */
@Injectable()
export class RecordBodyLimits implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly host: HttpAdapterHost,
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    addBodyLimitResolver(fastify, (request) => this.limitOf(request));
  }

  limitOf(request: FastifyRequest): RequestBodyLimits | undefined {
    const path = request.url;
    if (request.method === 'POST' && /^\/api\/batch\/?(?:\?|$)/.test(path)) {
      const { maxBodySize } = this.settings.get().batch;
      return { body: maxBodySize > 0 ? maxBodySize : DEFAULT_BATCH_BODY_LIMIT };
    }
    if (request.method !== 'POST' && request.method !== 'PATCH') return undefined;
    const match = RECORD_WRITE.exec(path);
    if (!match?.[1]) return undefined;
    let name: string;
    try {
      name = decodeURIComponent(match[1]);
    } catch {
      return undefined;
    }
    const collection = this.registry.find(name);
    // An unknown collection answers 404 later; its body gets the base limit meanwhile.
    if (!collection) return undefined;
    const isNew = request.method === 'POST';
    return {
      body: recordBodyLimit(collection, this.config.bodyLimit),
      file: (partName, fileName) => {
        const field = uploadFieldOf(collection, partName);
        return field && { maxSize: fileMaxSize(field), error: () => fileTooLargeError(field, fileName, isNew) };
      },
    };
  }
}
