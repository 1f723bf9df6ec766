import { Global, Module } from '@nestjs/common';
import { RequestAuthenticator } from './request-auth';
import { SuperuserGuard } from './superuser.guard';

/** Token verification for every module: who a request is, with the short-lived record cache. */
@Global()
@Module({ providers: [RequestAuthenticator, SuperuserGuard], exports: [RequestAuthenticator, SuperuserGuard] })
export class AuthCoreModule {}
