import { addBodyLimitResolver } from '@hivebase/runtime';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

const UPLOAD = /^\/api\/backups\/upload\/?(?:\?|$)/;

/** `POST /api/backups/upload` takes a body of any size, as PocketBase's (`BodyLimit(0)`): backups are big. */
@Injectable()
export class BackupBodyLimits implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    addBodyLimitResolver(fastify, (request) =>
      request.method === 'POST' && UPLOAD.test(request.url) ? { body: Number.POSITIVE_INFINITY } : undefined,
    );
  }
}
