import { SchemaRegistry, SettingsService, SuperuserGuard } from '@hivebase/runtime';
import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { buildOpenApiDocument } from './openapi-document.builder';

/** `GET /api/openapi.json`: the records API of the live schema as OpenAPI 3.1; superusers only. */
@Controller('api')
@UseGuards(SuperuserGuard)
export class OpenApiController {
  constructor(
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(SettingsService) private readonly settings: SettingsService,
  ) {}

  @Get('openapi.json')
  document(): Record<string, unknown> {
    const { meta } = this.settings.get();
    return buildOpenApiDocument(this.registry.all(), { appName: meta.appName, appUrl: meta.appURL });
  }
}
