import { ApiError } from '@hivebase/platform';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isSuperuser, RequestAuthenticator } from './request-auth';

/**
 * PocketBase's RequireSuperuserAuth: guests (an invalid token makes one) get 401, other auth
 * records 403, with PocketBase's messages.
 */
@Injectable()
export class SuperuserGuard implements CanActivate {
  constructor(@Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const auth = await this.authenticator.of(context.switchToHttp().getRequest<FastifyRequest>());
    if (!auth) throw new ApiError(401, 'The request requires valid record authorization token.');
    if (!isSuperuser(auth)) throw new ApiError(403, 'The authorized record is not allowed to perform this action.');
    return true;
  }
}
