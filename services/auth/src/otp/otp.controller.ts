import { BODY_POLICIES, BodyErrors } from '@hivebase/runtime';
import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { OtpService } from './otp.service';

@Controller('api/collections/:collection')
export class OtpController {
  constructor(@Inject(OtpService) private readonly otp: OtpService) {}

  @BodyErrors(BODY_POLICIES.loadFailed)
  @Post('request-otp')
  @HttpCode(200)
  requestOtp(@Req() request: FastifyRequest, @Param('collection') collection: string) {
    return this.otp.request(request, collection);
  }

  @BodyErrors(BODY_POLICIES.loadFailed)
  @Post('auth-with-otp')
  @HttpCode(200)
  authWithOtp(@Req() request: FastifyRequest, @Param('collection') collection: string) {
    return this.otp.authenticate(request, collection);
  }
}
