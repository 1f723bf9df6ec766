import { BodyErrors, bindFailed } from '@hivebase/runtime';
import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { type BatchResult, BatchService } from './batch.service';

/** PocketBase's `POST /api/batch`: JSON, or multipart with the requests under `@jsonPayload`. */
@Controller('api/batch')
export class BatchController {
  constructor(@Inject(BatchService) private readonly batch: BatchService) {}

  @BodyErrors(bindFailed('Failed to read the submitted batch data.'))
  @Post()
  @HttpCode(200)
  run(@Req() request: FastifyRequest): Promise<BatchResult[]> {
    return this.batch.run(request);
  }
}
