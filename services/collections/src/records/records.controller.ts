import type { ListParams } from '@hivebase/records';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RecordsService } from './records.service';

/** PocketBase's record CRUD: `/api/collections/{collection}/records`. */
@Controller('api/collections/:collection/records')
export class RecordsController {
  constructor(@Inject(RecordsService) private readonly records: RecordsService) {}

  @Get()
  list(@Req() request: FastifyRequest, @Param('collection') collection: string, @Query() query: ListParams) {
    return this.records.list(request, collection, query);
  }

  @Get(':id')
  view(
    @Req() request: FastifyRequest,
    @Param('collection') collection: string,
    @Param('id') id: string,
    @Query('expand') expand?: string,
  ) {
    return this.records.view(request, collection, id, expand);
  }

  @Post()
  @HttpCode(200)
  create(
    @Req() request: FastifyRequest,
    @Param('collection') collection: string,
    @Body() body: unknown,
    @Query('expand') expand?: string,
  ) {
    return this.records.create(request, collection, body, expand);
  }

  @Patch(':id')
  update(
    @Req() request: FastifyRequest,
    @Param('collection') collection: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @Query('expand') expand?: string,
  ) {
    return this.records.update(request, collection, id, body, expand);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Req() request: FastifyRequest, @Param('collection') collection: string, @Param('id') id: string) {
    await this.records.delete(request, collection, id);
  }
}
