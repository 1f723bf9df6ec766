import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import { ApiError } from '../errors/api-error';
import { SchemaRegistry } from '../schema/schema-registry';
import { isSuperuser, requestAuth } from './request-auth';

/** Superusers only: guests get PocketBase's 401, other auth records its 403. */
@Injectable()
export class SuperuserGuard implements CanActivate {
  constructor(
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const auth = await requestAuth(context.switchToHttp().getRequest<FastifyRequest>(), this.registry, this.pool);
    if (!auth) throw new ApiError(401, 'The request requires valid superuser authorization token.');
    if (!isSuperuser(auth)) throw new ApiError(403, 'The authorized record is not allowed to perform this action.');
    return true;
  }
}
