import { MailModule } from '@hivebase/runtime';
import { Global, Module } from '@nestjs/common';
import { AccountModule } from './account/account.module';
import { AuthMethodsController } from './auth-methods/auth-methods.controller';
import { AuthHooks } from './core/auth-hooks';
import { AuthRecords } from './core/auth-records';
import { AuthResponder } from './core/auth-responder';
import { OAuth2Module } from './oauth2/oauth2.module';
import { OtpController } from './otp/otp.controller';
import { OtpService } from './otp/otp.service';
import { PasswordAuthController } from './password-auth/password-auth.controller';
import { PasswordAuthService } from './password-auth/password-auth.service';
import { RateLimitModule } from './rate-limit';
import { TokenAuthController } from './token-auth/token-auth.controller';

/** What every sign-in flow shares: auth record access and the final response (authRule, MFA, alerts). */
@Global()
@Module({ providers: [AuthRecords, AuthResponder, AuthHooks], exports: [AuthRecords, AuthResponder, AuthHooks] })
export class AuthCoreFlowsModule {}

/**
 * The auth service's feature module: PocketBase's authentication routes for every auth
 * collection (superusers included), the failed-attempt limiter, and the mail worker (the auth
 * service owns mail).
 */
@Module({
  imports: [
    MailModule.forRoot({ worker: true }),
    RateLimitModule.fromAppConfig(),
    AuthCoreFlowsModule,
    OAuth2Module,
    AccountModule,
  ],
  controllers: [PasswordAuthController, TokenAuthController, AuthMethodsController, OtpController],
  providers: [PasswordAuthService, OtpService],
})
export class AuthModule {}
