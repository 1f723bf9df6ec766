import type { FieldError } from '@hivebase/contracts';
import type { RecordRow } from '@hivebase/runtime';
import { randomString } from '@hivebase/schema';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthHooks, hookRecordOf } from '../core/auth-hooks';
import { bodyObject } from '../core/auth-records';
import { validationFailed } from '../core/validation';
import { AccountFlows } from './account-flows';

const SUPERUSERS = 'auth_superusers_verified';
const EMAIL_CLAIM = {
  name: 'email',
  missing: { code: 'validation_invalid_token_claims', message: 'Missing email token claim.' },
};
const EMAIL_MISMATCH: FieldError = {
  code: 'validation_token_email_mismatch',
  message: "The record email doesn't match with the requested token claims.",
};

/** `request-verification` and `confirm-verification`, as PocketBase. */
@Injectable()
export class VerificationService {
  constructor(
    @Inject(AccountFlows) private readonly flows: AccountFlows,
    @Inject(AuthHooks) private readonly hooks: AuthHooks,
  ) {}

  /** Mails a verification link to an unverified record with this email; 204 whatever happens. */
  async request(request: FastifyRequest, idOrName: string): Promise<void> {
    const collection = this.flows.collectionOrThrow(idOrName, SUPERUSERS);
    const target = this.hooks.target('onRecordRequestVerificationRequest', collection);
    const around = target
      ? async (record: RecordRow, send: () => Promise<void>) => {
          const fields = { record: hookRecordOf(record) };
          await this.hooks.run('onRecordRequestVerificationRequest', target, request, fields, send);
        }
      : undefined;
    const verified = (record: RecordRow) => record.verified === true;
    await this.flows.mailByEmail('verification', collection, bodyObject(request.body), verified, around);
  }

  /**
   * Marks the token's record verified. The token is bound to the email it was sent to: once the
   * record's email changes, it no longer verifies anything. Already verified: nothing to do.
   */
  async confirm(request: FastifyRequest, idOrName: string): Promise<void> {
    const collection = this.flows.collectionOrThrow(idOrName, SUPERUSERS);
    const { token } = bodyObject(request.body);
    const check = await this.flows.checkToken(collection, token, 'verification', EMAIL_CLAIM);
    if (check.error) throw validationFailed({ token: check.error });
    const { record, claims } = check.verified;
    if (record.email !== claims.email) throw validationFailed({ token: EMAIL_MISMATCH });

    const save = async () => {
      if (record.verified !== true) {
        // As PocketBase: without password auth, a password set before the address was proven
        // (by whoever registered it) must not work if password auth is enabled later.
        const password = collection.passwordAuth.enabled ? null : randomString(30);
        const values = password ? { verified: true, password, passwordConfirm: password } : { verified: true };
        await this.flows.save(collection, record, values, 'auth_save_verified_failed');
      }
      this.flows.forgetResend('verification', collection, record);
    };
    const target = this.hooks.target('onRecordConfirmVerificationRequest', collection);
    if (!target) return save();
    await this.hooks.run('onRecordConfirmVerificationRequest', target, request, { record: hookRecordOf(record) }, save);
  }
}
