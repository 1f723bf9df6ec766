import {
  BODY_POLICIES,
  BodyErrors,
  isSuperuser,
  RequestAuthenticator,
  SuperuserGuard,
  SuperuserIps,
} from '@hivebase/runtime';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BackupsError } from './backups.errors';
import { type BackupFileInfo, BackupsService } from './backups.service';

/** PocketBase's `/api/backups` routes: superusers only; the download takes a superuser file token instead. */
@Controller('api/backups')
export class BackupsController {
  constructor(
    @Inject(BackupsService) private readonly backups: BackupsService,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(SuperuserIps) private readonly superuserIps: SuperuserIps,
  ) {}

  @Get()
  @UseGuards(SuperuserGuard)
  list(): Promise<BackupFileInfo[]> {
    return this.backups.list();
  }

  /** `{name?}` → 204 once the backup is stored. */
  @BodyErrors(BODY_POLICIES.loadFailedAlways)
  @Post()
  @UseGuards(SuperuserGuard)
  @HttpCode(204)
  async create(@Body() body: unknown): Promise<void> {
    await this.backups.create(body);
  }

  /** Multipart `file` (a zip) → 204; no body limit, as PocketBase (see `BackupBodyLimits`). */
  @BodyErrors(BODY_POLICIES.ignore)
  @Post('upload')
  @UseGuards(SuperuserGuard)
  @HttpCode(204)
  async upload(@Body() body: unknown): Promise<void> {
    await this.backups.upload(body);
  }

  /** `?token=` a superuser's file token (`POST /api/files/token`); the zip as an attachment. */
  @Get(':key')
  async download(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('key') key: string,
    @Query('token') token: unknown,
  ): Promise<void> {
    const verified = typeof token === 'string' && token ? await this.authenticator.verify(token, 'fileToken') : null;
    const auth = verified && { collection: verified.collection, record: verified.record };
    if (!isSuperuser(auth) || !this.superuserIps.allows(request, auth)) {
      throw new BackupsError('backups_download_forbidden');
    }
    const { object, body } = await this.backups.download(key);
    const ascii = key.replace(/[^\x20-\x7e]|["\\]/g, '_');
    reply.headers({
      'content-type': object.contentType === 'application/octet-stream' ? 'application/zip' : object.contentType,
      'content-length': String(object.size),
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(key)}`,
    });
    await reply.send(body);
  }

  @BodyErrors(BODY_POLICIES.ignore)
  @Delete(':key')
  @UseGuards(SuperuserGuard)
  @HttpCode(204)
  async delete(@Param('key') key: string): Promise<void> {
    await this.backups.delete(key);
  }

  /** → 204 once the database and files are the backup's (every replica then reloads). */
  @BodyErrors(BODY_POLICIES.ignore)
  @Post(':key/restore')
  @UseGuards(SuperuserGuard)
  @HttpCode(204)
  async restore(@Param('key') key: string): Promise<void> {
    await this.backups.restore(key);
  }
}
