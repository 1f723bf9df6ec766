import { BODY_POLICIES, BodyErrors } from '@hivebase/runtime';
import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PasswordAuthService } from './password-auth.service';

@Controller('api/collections/:collection')
export class PasswordAuthController {
  constructor(@Inject(PasswordAuthService) private readonly passwordAuth: PasswordAuthService) {}

  @BodyErrors(BODY_POLICIES.loadFailed)
  @Post('auth-with-password')
  @HttpCode(200)
  authWithPassword(@Req() request: FastifyRequest, @Param('collection') collection: string) {
    return this.passwordAuth.authenticate(request, collection);
  }
}
