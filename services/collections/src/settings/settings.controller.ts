import {
  BODY_POLICIES,
  BodyErrors,
  type PublicSettings,
  SettingsService,
  SuperuserGuard,
  toPublicSettings,
} from '@hivebase/runtime';
import { Body, Controller, Get, HttpCode, Inject, Patch, Post, UseGuards } from '@nestjs/common';
import { generateAppleClientSecret } from './apple-client-secret';
import { TestEmailService } from './test-email.service';
import { testS3Filesystem } from './test-s3';

/** `/api/settings`: superusers only; answers never carry the secrets, as in PocketBase. */
@Controller('api/settings')
@UseGuards(SuperuserGuard)
export class SettingsController {
  constructor(
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(TestEmailService) private readonly testEmail: TestEmailService,
  ) {}

  @Get()
  view(): PublicSettings {
    return toPublicSettings(this.settings.get());
  }

  /** Deep-merges the submitted keys over the stored document; an empty secret keeps the stored one. */
  @BodyErrors(BODY_POLICIES.loadFailedAlways)
  @Patch()
  async update(@Body() body: unknown): Promise<PublicSettings> {
    return toPublicSettings(await this.settings.update(body));
  }

  /** `{email, template, collection?}` → 204 once the SMTP server accepted the mail; 400 if it did not. */
  @BodyErrors(BODY_POLICIES.loadFailedAlways)
  @Post('test/email')
  @HttpCode(204)
  async sendTestEmail(@Body() body: unknown): Promise<void> {
    await this.testEmail.send(body);
  }

  /** `{filesystem: "storage" | "backups"}` → 204 once a test file went up and away again (docs/files.md). */
  @BodyErrors(BODY_POLICIES.loadFailedAlways)
  @Post('test/s3')
  @HttpCode(204)
  async testS3(@Body() body: unknown): Promise<void> {
    await testS3Filesystem(this.settings.get(), body);
  }

  /** `{clientId, teamId, keyId, privateKey, duration}` → `{secret}`: Apple's OAuth2 client secret JWT. */
  @BodyErrors(BODY_POLICIES.loadFailedAlways)
  @Post('apple/generate-client-secret')
  @HttpCode(200)
  appleClientSecret(@Body() body: unknown): { secret: string } {
    return generateAppleClientSecret(body);
  }
}
