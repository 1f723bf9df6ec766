import { Module } from '@nestjs/common';
import { PasswordAuthController } from './password-auth/password-auth.controller';
import { PasswordAuthService } from './password-auth/password-auth.service';

/**
 * The auth service's feature module: password sign-in for every auth collection (superusers
 * included). The other flows (OTP, OAuth2, MFA, verification, mail, …) arrive with the Auth issue.
 */
@Module({ controllers: [PasswordAuthController], providers: [PasswordAuthService] })
export class AuthModule {}
