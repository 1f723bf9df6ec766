import { BODY_POLICIES, BodyErrors } from '@hivebase/runtime';
import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { EmailChangeService } from './email-change.service';
import { PasswordResetService } from './password-reset.service';
import { VerificationService } from './verification.service';

/** The account flows under an auth collection; every one answers 204 with no body. */
@Controller('api/collections/:collection')
export class AccountController {
  constructor(
    @Inject(VerificationService) private readonly verification: VerificationService,
    @Inject(PasswordResetService) private readonly passwordReset: PasswordResetService,
    @Inject(EmailChangeService) private readonly emailChange: EmailChangeService,
  ) {}

  @BodyErrors(BODY_POLICIES.loadFailed)
  @Post('request-verification')
  @HttpCode(204)
  requestVerification(@Req() request: FastifyRequest, @Param('collection') collection: string): Promise<void> {
    return this.verification.request(request, collection);
  }

  @BodyErrors(BODY_POLICIES.loadFailed)
  @Post('confirm-verification')
  @HttpCode(204)
  confirmVerification(@Req() request: FastifyRequest, @Param('collection') collection: string): Promise<void> {
    return this.verification.confirm(request, collection);
  }

  @BodyErrors(BODY_POLICIES.loadFailed)
  @Post('request-password-reset')
  @HttpCode(204)
  requestPasswordReset(@Req() request: FastifyRequest, @Param('collection') collection: string): Promise<void> {
    return this.passwordReset.request(request, collection);
  }

  @BodyErrors(BODY_POLICIES.loadFailedAlways)
  @Post('confirm-password-reset')
  @HttpCode(204)
  confirmPasswordReset(@Req() request: FastifyRequest, @Param('collection') collection: string): Promise<void> {
    return this.passwordReset.confirm(request, collection);
  }

  @BodyErrors(BODY_POLICIES.loadFailed)
  @Post('request-email-change')
  @HttpCode(204)
  requestEmailChange(@Req() request: FastifyRequest, @Param('collection') collection: string): Promise<void> {
    return this.emailChange.request(request, collection);
  }

  @BodyErrors(BODY_POLICIES.loadFailed)
  @Post('confirm-email-change')
  @HttpCode(204)
  confirmEmailChange(@Req() request: FastifyRequest, @Param('collection') collection: string): Promise<void> {
    return this.emailChange.confirm(request, collection);
  }
}
