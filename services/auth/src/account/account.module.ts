import { Module } from '@nestjs/common';
import { AccountController } from './account.controller';
import { AccountFlows } from './account-flows';
import { EmailChangeService } from './email-change.service';
import { PasswordResetService } from './password-reset.service';
import { ResendThrottle } from './resend-throttle';
import { VerificationService } from './verification.service';

/** Verification, password reset and email change: PocketBase's mail-confirmed account flows. */
@Module({
  controllers: [AccountController],
  providers: [AccountFlows, ResendThrottle, VerificationService, PasswordResetService, EmailChangeService],
})
export class AccountModule {}
