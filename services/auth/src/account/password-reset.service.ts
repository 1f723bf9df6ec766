import type { FieldError } from '@hivebase/contracts';
import type { RecordRow } from '@hivebase/runtime';
import type { AuthCollection } from '@hivebase/schema';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthError } from '../core/auth.errors';
import { AuthHooks, hookRecordOf } from '../core/auth-hooks';
import { bodyObject } from '../core/auth-records';
import { requireFields, validationFailed } from '../core/validation';
import { AccountFlows } from './account-flows';

/** PocketBase's form limit; the password field's own max and pattern are checked by the write. */
const FORM_MAX_LENGTH = 255;
const MISMATCH: FieldError = { code: 'validation_values_mismatch', message: "Values don't match." };

/** `request-password-reset` and `confirm-password-reset`, as PocketBase. */
@Injectable()
export class PasswordResetService {
  constructor(
    @Inject(AccountFlows) private readonly flows: AccountFlows,
    @Inject(AuthHooks) private readonly hooks: AuthHooks,
  ) {}

  /** Mails a reset link to the record with this email; 204 whatever happens. */
  async request(request: FastifyRequest, idOrName: string): Promise<void> {
    const collection = this.passwordCollectionOrThrow(idOrName);
    const target = this.hooks.target('onRecordRequestPasswordResetRequest', collection);
    const around = target
      ? async (record: RecordRow, send: () => Promise<void>) => {
          const fields = { record: hookRecordOf(record) };
          await this.hooks.run('onRecordRequestPasswordResetRequest', target, request, fields, send);
        }
      : undefined;
    await this.flows.mailByEmail('passwordReset', collection, bodyObject(request.body), undefined, around);
  }

  /**
   * Sets the new password. That renews the tokenKey, which ends the record's sessions and makes
   * this token (and any other pending one) invalid: it works once. A record still at the email
   * the link was sent to has proven it, so it becomes verified too.
   */
  async confirm(request: FastifyRequest, idOrName: string): Promise<void> {
    const collection = this.flows.collectionOrThrow(idOrName);
    const body = bodyObject(request.body);
    const check = await this.flows.checkToken(collection, body.token, 'passwordReset');
    // Go sorts the keys of the error data: password, passwordConfirm, token.
    const errors = passwordErrors(collection, body);
    if (check.error) errors.token = check.error;
    if (check.error || Object.keys(errors).length > 0) throw validationFailed(errors);

    const { record, claims } = check.verified;
    const password = String(body.password);
    const values: Record<string, unknown> = { password, passwordConfirm: password };
    if (record.verified !== true && claims.email === record.email) values.verified = true;
    const save = async () => {
      await this.flows.save(collection, record, values, 'auth_set_password_failed');
      this.flows.forgetResend('passwordReset', collection, record);
    };
    const target = this.hooks.target('onRecordConfirmPasswordResetRequest', collection);
    if (!target) return save();
    await this.hooks.run(
      'onRecordConfirmPasswordResetRequest',
      target,
      request,
      { record: hookRecordOf(record) },
      save,
    );
  }

  private passwordCollectionOrThrow(idOrName: string): AuthCollection {
    const collection = this.flows.collectionOrThrow(idOrName);
    if (!collection.passwordAuth.enabled) {
      throw new AuthError('auth_password_reset_disabled');
    }
    return collection;
  }
}

/** The form's own checks: both required, the length within the field's min and 255, equal. */
function passwordErrors(collection: AuthCollection, body: Record<string, unknown>): Record<string, FieldError> {
  const errors = requireFields(body, ['password', 'passwordConfirm']);
  const field = collection.fields.find((candidate) => candidate.name === 'password');
  const min = field?.type === 'password' && field.min > 0 ? field.min : 1;
  const length = errors.password ? 0 : [...String(body.password)].length;
  if (!errors.password && (length < min || length > FORM_MAX_LENGTH)) {
    errors.password = {
      code: 'validation_length_out_of_range',
      message: `The length must be between ${min} and ${FORM_MAX_LENGTH}.`,
    };
  }
  if (!errors.passwordConfirm && body.passwordConfirm !== body.password) errors.passwordConfirm = MISMATCH;
  return errors;
}
