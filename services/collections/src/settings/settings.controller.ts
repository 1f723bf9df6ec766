import { type PublicSettings, SettingsService, SuperuserGuard, toPublicSettings } from '@hivebase/server';
import { Body, Controller, Get, Inject, Patch, UseGuards } from '@nestjs/common';

/** `/api/settings`: superusers only; answers never carry the secrets, as in PocketBase. */
@Controller('api/settings')
@UseGuards(SuperuserGuard)
export class SettingsController {
  constructor(@Inject(SettingsService) private readonly settings: SettingsService) {}

  @Get()
  view(): PublicSettings {
    return toPublicSettings(this.settings.get());
  }

  /** Deep-merges the submitted keys over the stored document; an empty secret keeps the stored one. */
  @Patch()
  async update(@Body() body: unknown): Promise<PublicSettings> {
    return toPublicSettings(await this.settings.update(body));
  }
}
