import { BODY_POLICIES, BodyErrors, bindFailed, SuperuserGuard } from '@hivebase/runtime';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CollectionsService } from './collections.service';

/** `/api/collections`: superusers only, as in PocketBase. */
@Controller('api/collections')
@UseGuards(SuperuserGuard)
export class CollectionsController {
  constructor(@Inject(CollectionsService) private readonly collections: CollectionsService) {}

  @Get()
  list(@Query() query: Record<string, string | undefined>) {
    return this.collections.list(query);
  }

  @BodyErrors(bindFailed('Failed to load the collection type data due to invalid formatting.'))
  @Post()
  @HttpCode(200)
  create(@Body() body: unknown) {
    return this.collections.create(body);
  }

  @Get('meta/scaffolds')
  scaffolds() {
    return this.collections.scaffolds();
  }

  @Get('meta/oauth2-providers')
  oauth2Providers() {
    return this.collections.oauth2Providers();
  }

  @BodyErrors(BODY_POLICIES.loadFailed)
  @Put('import')
  @HttpCode(204)
  async import(@Body() body: unknown): Promise<void> {
    await this.collections.import(body);
  }

  @Get(':idOrName')
  view(@Param('idOrName') idOrName: string) {
    return this.collections.view(idOrName);
  }

  @BodyErrors(bindFailed('Failed to load the submitted data due to invalid formatting.'))
  @Patch(':idOrName')
  update(@Req() request: FastifyRequest, @Param('idOrName') idOrName: string) {
    // Read once the collection is found: PocketBase's 404 comes before a body that does not read.
    return this.collections.update(idOrName, () => request.body);
  }

  @BodyErrors(BODY_POLICIES.ignore)
  @Delete(':idOrName')
  @HttpCode(204)
  async delete(@Param('idOrName') idOrName: string): Promise<void> {
    await this.collections.delete(idOrName);
  }

  @BodyErrors(BODY_POLICIES.ignore)
  @Delete(':idOrName/truncate')
  @HttpCode(204)
  async truncate(@Param('idOrName') idOrName: string): Promise<void> {
    await this.collections.truncate(idOrName);
  }
}
