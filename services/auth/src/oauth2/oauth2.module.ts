import { Module } from '@nestjs/common';
import { OAuth2Controller } from './oauth2.controller';
import { OAuth2Service } from './oauth2.service';
import { OAuth2RedirectService } from './oauth2-redirect.service';

/** OAuth2 sign-in: `auth-with-oauth2`, `/api/oauth2-redirect`, and the providers `auth-methods` lists. */
@Module({
  controllers: [OAuth2Controller],
  providers: [OAuth2Service, OAuth2RedirectService],
  exports: [OAuth2Service],
})
export class OAuth2Module {}
