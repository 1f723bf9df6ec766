import type { FieldError } from '@hivebase/contracts';
import { passwordMatches, RequestAuthenticator } from '@hivebase/runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthError } from '../core/auth.errors';
import { AuthHooks, hookRecordOf } from '../core/auth-hooks';
import { AuthRecords, bodyObject } from '../core/auth-records';
import { assertValid, emailFieldErrors, requireFields, validationFailed } from '../core/validation';
import { AccountFlows } from './account-flows';

const SUPERUSERS = 'auth_superusers_email_change';
const SAME_EMAIL: FieldError = { code: 'validation_not_in_invalid', message: 'Must not be in list.' };
const TAKEN_ON_REQUEST: FieldError = { code: 'validation_invalid_new_email', message: 'Invalid new email address.' };
const TAKEN_ON_CONFIRM: FieldError = {
  code: 'validation_invalid_token_email',
  message: 'The new email address is invalid.',
};
const NEW_EMAIL_CLAIM = {
  name: 'newEmail',
  missing: { code: 'validation_invalid_token_payload', message: 'Invalid token payload - newEmail must be set.' },
};
const WRONG_PASSWORD: FieldError = {
  code: 'validation_invalid_password',
  message: 'Missing or invalid auth record password.',
};
const LONG_PASSWORD: FieldError = {
  code: 'validation_length_out_of_range',
  message: 'The length must be between 1 and 100.',
};

/** `request-email-change` (signed in) and `confirm-email-change` (token + current password), as PocketBase. */
@Injectable()
export class EmailChangeService {
  constructor(
    @Inject(AccountFlows) private readonly flows: AccountFlows,
    @Inject(AuthRecords) private readonly records: AuthRecords,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(AuthHooks) private readonly hooks: AuthHooks,
  ) {}

  /** Mails a confirmation link to the new address; the caller must be a record of this collection. */
  async request(request: FastifyRequest, idOrName: string): Promise<void> {
    // PocketBase's RequireSameCollectionContextAuth runs first: 401, then 403, before any 404.
    const auth = await this.authenticator.of(request);
    if (!auth) throw new AuthError('auth_token_required');
    if (this.records.registry.find(idOrName)?.id !== auth.collection.id) {
      throw new AuthError('auth_wrong_collection', {}, { params: { collection: auth.collection.name } });
    }
    const collection = this.flows.collectionOrThrow(idOrName, SUPERUSERS);
    const { record } = auth;

    const body = bodyObject(request.body);
    const errors = emailFieldErrors(body, 'newEmail');
    const newEmail = String(body.newEmail);
    if (!errors.newEmail && newEmail === record.email) errors.newEmail = SAME_EMAIL;
    if (!errors.newEmail) {
      const owner = await this.records.findByEmail(collection, newEmail);
      if (owner && owner.id !== record.id) errors.newEmail = TAKEN_ON_REQUEST;
    }
    assertValid(errors);

    const send = async (to: string) => {
      try {
        await this.flows.sendMail('emailChange', collection, record, to);
      } catch (error) {
        throw new AuthError('auth_email_change_request_failed', {}, { cause: error });
      }
    };
    const target = this.hooks.target('onRecordRequestEmailChangeRequest', collection);
    if (!target) return send(newEmail);
    // A handler may change where the link goes (`newEmail`).
    const fields = { record: hookRecordOf(record), newEmail };
    await this.hooks.run('onRecordRequestEmailChangeRequest', target, request, fields, (event) =>
      send(String(event.newEmail)),
    );
  }

  /**
   * Moves the record to the token's new email, verified (the link reached it), after checking
   * the current password. The email change renews the tokenKey: other sessions end.
   */
  async confirm(request: FastifyRequest, idOrName: string): Promise<void> {
    const collection = this.flows.collectionOrThrow(idOrName, SUPERUSERS);
    const body = bodyObject(request.body);
    let check = await this.flows.checkToken(collection, body.token, 'emailChange', NEW_EMAIL_CLAIM);
    const newEmail = String(check.verified?.claims.newEmail ?? '');
    if (check.verified && (await this.records.findByEmail(collection, newEmail))) {
      check = { verified: null, error: TAKEN_ON_CONFIRM };
    }

    // Go sorts the keys of the error data: password, then token.
    const errors = requireFields(body, ['password']);
    if (!errors.password) {
      const password = String(body.password);
      if ([...password].length > 100) errors.password = LONG_PASSWORD;
      else if (!check.verified || !(await passwordMatches(password, check.verified.record.password))) {
        errors.password = WRONG_PASSWORD;
      }
    }
    if (check.error) errors.token = check.error;
    if (check.error || Object.keys(errors).length > 0) throw validationFailed(errors);

    const { record } = check.verified;
    const save = async () => {
      await this.flows.save(
        collection,
        record,
        { email: newEmail, verified: true },
        'auth_email_change_confirm_failed',
      );
    };
    const target = this.hooks.target('onRecordConfirmEmailChangeRequest', collection);
    if (!target) return save();
    const fields = { record: hookRecordOf(record), newEmail };
    await this.hooks.run('onRecordConfirmEmailChangeRequest', target, request, fields, save);
  }
}
