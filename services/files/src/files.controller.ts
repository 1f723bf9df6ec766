import { ApiError } from '@hivebase/platform';
import { BODY_POLICIES, BodyErrors } from '@hivebase/runtime';
import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FilesService } from './files.service';
import { parseByteRange } from './serve/byte-range';
import { fileHeaders, parseGoBool } from './serve/file-headers';

type FileQuery = { thumb?: unknown; token?: unknown; download?: unknown };
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** PocketBase's `/api/files`: file tokens and downloads (with thumbs, ranges, revalidation). */
@Controller('api/files')
export class FilesController {
  constructor(@Inject(FilesService) private readonly files: FilesService) {}

  @BodyErrors(BODY_POLICIES.ignore)
  @Post('token')
  @HttpCode(200)
  token(@Req() request: FastifyRequest) {
    return this.files.token(request);
  }

  @Get(':collection/:recordId/:filename')
  async download(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('collection') collection: string,
    @Param('recordId') recordId: string,
    @Param('filename') fileName: string,
    @Query() query: FileQuery,
  ): Promise<void> {
    const served = await this.files.resolve(request, collection, recordId, fileName, {
      thumb: text(query.thumb),
      token: text(query.token),
    });
    const { object } = served;
    const etag = `"${object.size.toString(16)}-${object.modified.getTime().toString(16)}"`;
    const lastModified = object.modified.toUTCString();
    reply.headers({
      ...fileHeaders(served.name, object.contentType, parseGoBool(query.download)),
      etag,
      'last-modified': lastModified,
      'accept-ranges': 'bytes',
    });
    if (notModified(request, etag, object.modified)) {
      await reply.code(304).send();
      return;
    }
    // A stale `If-Range` validator means the whole file again.
    const ifRange = request.headers['if-range'];
    const rangeHeader =
      ifRange === undefined || ifRange === etag || ifRange === lastModified ? request.headers.range : undefined;
    const range = parseByteRange(rangeHeader, object.size);
    if (range === null) {
      reply.header('content-range', `bytes */${object.size}`);
      throw new ApiError(416, 'Requested Range Not Satisfiable');
    }
    const found = await this.files.open(served, range);
    if (range) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${object.size}`);
      reply.header('content-length', String(range.end - range.start + 1));
    } else {
      reply.header('content-length', String(object.size));
    }
    await reply.send(request.method === 'HEAD' ? undefined : found);
  }
}

/** `If-None-Match` first, then `If-Modified-Since` (second precision), as Go's `ServeContent`. */
function notModified(request: FastifyRequest, etag: string, modified: Date): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag);
  }
  const since = Date.parse(String(request.headers['if-modified-since'] ?? ''));
  return Number.isFinite(since) && Math.floor(modified.getTime() / 1000) * 1000 <= since;
}
