import { BODY_POLICIES, BodyErrors } from '@hivebase/runtime';
import { Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuth2Service } from './oauth2.service';
import { OAuth2RedirectService } from './oauth2-redirect.service';

@Controller()
export class OAuth2Controller {
  constructor(
    @Inject(OAuth2Service) private readonly oauth2: OAuth2Service,
    @Inject(OAuth2RedirectService) private readonly redirects: OAuth2RedirectService,
  ) {}

  @BodyErrors(BODY_POLICIES.loadFailed)
  @Post('api/collections/:collection/auth-with-oauth2')
  @HttpCode(200)
  authWithOAuth2(@Req() request: FastifyRequest, @Param('collection') collection: string) {
    return this.oauth2.authenticate(request, collection);
  }

  // PocketBase answers a GET with 307 and a POST (Apple's form_post) with 303.
  @Get('api/oauth2-redirect')
  async redirectGet(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return reply.redirect(await this.redirects.forward(request, request.query), 307);
  }

  @BodyErrors(BODY_POLICIES.ignore)
  @Post('api/oauth2-redirect')
  async redirectPost(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return reply.redirect(await this.redirects.forward(request, request.body), 303);
  }
}
