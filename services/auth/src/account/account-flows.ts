import type { FieldError } from '@hivebase/contracts';
import { RecordsError } from '@hivebase/records';
import {
  composeAuthMail,
  Mailer,
  peekClaims,
  type RecordRow,
  RequestAuthenticator,
  SettingsService,
  signRecordToken,
  type VerifiedToken,
} from '@hivebase/runtime';
import { type AuthCollection, SUPERUSERS_COLLECTION_NAME, type TokenKind } from '@hivebase/schema';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuthError, type AuthErrorCode } from '../core/auth.errors';
import { AuthRecords } from '../core/auth-records';
import { assertValid, emailFieldErrors, requireFields } from '../core/validation';
import { ResendThrottle } from './resend-throttle';

/** The mails of the account flows, each carrying a token of its own kind. */
export type AccountMailKind = 'verification' | 'passwordReset' | 'emailChange';

const TOKEN_KIND: Record<AccountMailKind, TokenKind> = {
  verification: 'verificationToken',
  passwordReset: 'passwordResetToken',
  emailChange: 'emailChangeToken',
};

const INVALID_TOKEN: FieldError = { code: 'validation_invalid_token', message: 'Invalid or expired token.' };
const OTHER_COLLECTION: FieldError = {
  code: 'validation_token_collection_mismatch',
  message: 'The provided token is for different auth collection.',
};

/** The result of checking a submitted token: the record it names, or the `token` field's error. */
export type TokenCheck = { verified: VerifiedToken; error: null } | { verified: null; error: FieldError };

/** A claim a token must carry, checked before the signature as PocketBase does. */
export interface RequiredClaim {
  name: string;
  missing: FieldError;
}

/**
 * What verification, password reset and email change share: their collection checks, the
 * `email` and `token` field checks, signing and queueing their mails, and the final write.
 */
@Injectable()
export class AccountFlows {
  private readonly logger = new Logger(AccountFlows.name);

  constructor(
    @Inject(AuthRecords) private readonly records: AuthRecords,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(Mailer) private readonly mailer: Mailer,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(ResendThrottle) private readonly throttle: ResendThrottle,
  ) {}

  /** The route's auth collection (404 otherwise); `_superusers` gets PocketBase's 400 `superusersCode`. */
  collectionOrThrow(idOrName: string, superusersCode?: AuthErrorCode): AuthCollection {
    const collection = this.records.collectionOrThrow(idOrName);
    if (superusersCode && collection.name === SUPERUSERS_COLLECTION_NAME) throw new AuthError(superusersCode);
    return collection;
  }

  /**
   * `request-verification` and `request-password-reset`: validates `body.email` and mails the
   * record with that email, unless there is none, `skip` says so, or it was mailed within the
   * throttle window. Every one of those ends the same way for the caller (204), so the answer
   * tells nobody which emails have accounts.
   */
  async mailByEmail(
    kind: 'verification' | 'passwordReset',
    collection: AuthCollection,
    body: Record<string, unknown>,
    skip: (record: RecordRow) => boolean = () => false,
    around?: (record: RecordRow, send: () => Promise<void>) => Promise<void>,
  ): Promise<void> {
    assertValid(emailFieldErrors(body, 'email'));
    const record = await this.records.findByEmail(collection, String(body.email));
    if (!record) return;
    if (!around) return this.mailUnlessThrottled(kind, collection, record, skip);
    // An extension's request hook wraps the rest, as PocketBase's does; like PocketBase, a
    // request still blocked by the resend window answers 204 before it.
    if (!skip(record) && this.throttle.blocked(throttleKey(kind, collection, record))) return;
    await around(record, () => this.mailUnlessThrottled(kind, collection, record, skip));
  }

  private async mailUnlessThrottled(
    kind: 'verification' | 'passwordReset',
    collection: AuthCollection,
    record: RecordRow,
    skip: (record: RecordRow) => boolean,
  ): Promise<void> {
    if (skip(record)) return;
    const key = throttleKey(kind, collection, record);
    if (!this.throttle.take(key)) return;
    try {
      await this.sendMail(kind, collection, record);
    } catch (error) {
      // Still 204: an error here would tell that the email has an account.
      this.throttle.forget(key);
      this.logger.error({ err: error, recordId: record.id, kind }, 'failed to queue an account mail');
    }
  }

  /** Ends the resend block of `kind` for the record (its flow was just confirmed). */
  forgetResend(kind: 'verification' | 'passwordReset', collection: AuthCollection, record: RecordRow): void {
    this.throttle.forget(throttleKey(kind, collection, record));
  }

  /**
   * Signs the flow's token (bound to the record's current email, and to `to` for an email
   * change) and queues the mail to `to` (default: the record's email). Queued before the
   * answer, so an accepted request never loses its mail.
   */
  async sendMail(kind: AccountMailKind, collection: AuthCollection, record: RecordRow, to?: string): Promise<void> {
    const email = String(record.email ?? '');
    const claims = kind === 'emailChange' ? { email, newEmail: to } : { email };
    const token = signRecordToken(
      collection,
      { id: record.id, tokenKey: String(record.tokenKey) },
      TOKEN_KIND[kind],
      claims,
    );
    await this.mailer.send(composeAuthMail(kind, { collection, record, settings: this.settings.get(), to, token }));
  }

  /**
   * Checks a submitted token of `kind`: present, carrying `claim` (if given), valid (signature,
   * expiry, type, the record's current tokenKey) and issued for `collection`.
   */
  async checkToken(
    collection: AuthCollection,
    value: unknown,
    kind: AccountMailKind,
    claim?: RequiredClaim,
  ): Promise<TokenCheck> {
    const missing = requireFields({ token: value }, ['token']).token;
    if (missing) return { verified: null, error: missing };
    const token = String(value);
    if (claim && !peekClaims(token)?.[claim.name]) return { verified: null, error: claim.missing };
    const verified = await this.authenticator.verify(token, TOKEN_KIND[kind]);
    if (!verified) return { verified: null, error: INVALID_TOKEN };
    if (verified.collection.id !== collection.id) return { verified: null, error: OTHER_COLLECTION };
    return { verified, error: null };
  }

  /**
   * Writes `values` as the system; a refused write is PocketBase's 400 `failure` with the
   * field errors. Also does what PocketBase's save hooks do and the records writer does not
   * (yet): a record that becomes verified loses its OAuth2 links, which someone may have made
   * before the owner proved the address, and lost links mean a new tokenKey.
   */
  async save(
    collection: AuthCollection,
    record: RecordRow,
    values: Record<string, unknown>,
    failure: AuthErrorCode,
  ): Promise<void> {
    // Unlinked before the write: should the write fail, the record is merely left without links.
    const unlinked =
      record.verified !== true && values.verified === true ? await this.unlinkAll(collection, record) : 0;
    try {
      await this.records.systemUpdate(collection, record.id, values);
    } catch (error) {
      if (error instanceof RecordsError && error.status === 400) {
        throw new AuthError(failure, error.data, { cause: error });
      }
      throw error;
    }
    // The writer renews the tokenKey for a new password or email (and announces it); lost links need it too.
    if (unlinked > 0 && !('password' in values) && !('email' in values))
      await this.renewTokenKey(collection, record.id);
  }

  private async unlinkAll(collection: AuthCollection, record: RecordRow): Promise<number> {
    return this.records.deleteSystemRecordsOf('_externalAuths', collection, record.id);
  }

  /** Ends every session and pending token of the record, on every replica. */
  private async renewTokenKey(collection: AuthCollection, id: string): Promise<void> {
    await this.records.renewTokenKey(collection, id);
    await this.authenticator.tokenKeyChanged(collection.id, id);
  }
}

const throttleKey = (kind: string, collection: AuthCollection, record: RecordRow) =>
  `${kind}:${collection.id}:${record.id}`;
