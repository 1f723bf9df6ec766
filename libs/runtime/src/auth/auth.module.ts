import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RequestAuthenticator } from './request-auth';
import { SuperuserGuard } from './superuser.guard';
import { SuperuserIps, SuperuserIpsGuard } from './superuser-ips.guard';

/**
 * Token verification for every module: who a request is, with the short-lived record cache, and
 * the superuser IP allow-list on every route.
 */
@Global()
@Module({
  providers: [RequestAuthenticator, SuperuserGuard, SuperuserIps, { provide: APP_GUARD, useClass: SuperuserIpsGuard }],
  exports: [RequestAuthenticator, SuperuserGuard, SuperuserIps],
})
export class AuthCoreModule {}
