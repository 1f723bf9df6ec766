import { Controller, Get, Inject, Param } from '@nestjs/common';
import { AuthRecords } from '../core/auth-records';
import { OAuth2Service, type ProviderInfo } from '../oauth2/oauth2.service';

/** `GET auth-methods`: how this collection's users can sign in, in PocketBase's shape (legacy keys included). */
@Controller('api/collections/:collection')
export class AuthMethodsController {
  constructor(
    @Inject(AuthRecords) private readonly records: AuthRecords,
    @Inject(OAuth2Service) private readonly oauth2: OAuth2Service,
  ) {}

  @Get('auth-methods')
  async authMethods(@Param('collection') idOrName: string) {
    const collection = this.records.collectionOrThrow(idOrName);
    const { passwordAuth, oauth2, mfa, otp } = collection;
    const providers: ProviderInfo[] = oauth2.enabled ? await this.oauth2.providerInfos(collection) : [];
    const identityFields = passwordAuth.enabled ? passwordAuth.identityFields : [];
    return {
      password: { identityFields, enabled: passwordAuth.enabled },
      oauth2: { providers, enabled: oauth2.enabled },
      mfa: { enabled: mfa.enabled, duration: mfa.enabled ? mfa.duration : 0 },
      otp: { enabled: otp.enabled, duration: otp.enabled ? otp.duration : 0 },
      // Legacy keys PocketBase still sends for clients of v0.22 and older.
      authProviders: oauth2.enabled ? providers : null,
      usernamePassword: passwordAuth.enabled && identityFields.includes('username'),
      emailPassword: passwordAuth.enabled && identityFields.includes('email'),
    };
  }
}
