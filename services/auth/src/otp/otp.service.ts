import {
  composeAuthMail,
  hashPassword,
  Mailer,
  passwordMatches,
  type RecordRow,
  SettingsService,
} from '@hivebase/runtime';
import { type AuthCollection, newRecordId, randomString } from '@hivebase/schema';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthError } from '../core/auth.errors';
import { AuthHooks, hookRecordOf } from '../core/auth-hooks';
import { AuthRecords, bodyObject } from '../core/auth-records';
import { AuthResponder, type AuthResponse, expiredAfter } from '../core/auth-responder';
import { assertValid, emailFieldErrors, requireFields } from '../core/validation';
import { AuthAttemptLimiter } from '../rate-limit';

/** More unexpired OTPs than this for one record and the newest is reused instead (PocketBase's cap). */
const MAX_RECENT_OTPS = 9;
/** bcrypt cost of the stored codes: they live minutes, and the attempt limiter guards guessing. */
const OTP_HASH_COST = 8;

interface OtpRow {
  id: string;
  collectionRef: string;
  recordRef: string;
  password: string;
  sentTo: string;
  created: string;
}

/** One-time passwords by mail: `request-otp` and `auth-with-otp`, as PocketBase. */
@Injectable()
export class OtpService {
  private readonly logger = new Logger(OtpService.name);

  constructor(
    @Inject(AuthRecords) private readonly records: AuthRecords,
    @Inject(AuthResponder) private readonly responder: AuthResponder,
    @Inject(AuthAttemptLimiter) private readonly limiter: AuthAttemptLimiter,
    @Inject(Mailer) private readonly mailer: Mailer,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(AuthHooks) private readonly hooks: AuthHooks,
  ) {}

  /**
   * Mails a code to the record with this email and answers `{otpId}`. An unknown email gets a
   * made-up id, so the answer does not tell which emails have accounts.
   */
  async request(request: FastifyRequest, idOrName: string): Promise<{ otpId: string }> {
    const collection = this.otpCollectionOrThrow(idOrName);
    const body = bodyObject(request.body);
    assertValid(emailFieldErrors(body, 'email'));
    const record = await this.records.findByEmail(collection, String(body.email));
    const code = randomString(collection.otp.length, '0123456789');
    const target = this.hooks.target('onRecordRequestOTPRequest', collection);
    if (!target) return this.issue(collection, record, code);
    // Extensions see the record (null for an unknown email) and the code to be mailed.
    let answer: { otpId: string } | null = null;
    const fields = { record: record ? hookRecordOf(record) : null, password: code };
    await this.hooks.run('onRecordRequestOTPRequest', target, request, fields, async (event) => {
      answer = await this.issue(collection, event.record ? record : null, String(event.password));
    });
    // Skipped without refusing: the same made-up id an unknown email gets, and no mail.
    return answer ?? { otpId: newRecordId() };
  }

  /** Stores and mails `code` for the record; an unknown one (null) gets a made-up id. */
  private async issue(collection: AuthCollection, record: RecordRow | null, code: string): Promise<{ otpId: string }> {
    if (!record) return { otpId: newRecordId() };
    const recent = await this.recentOtps(collection, record);
    if (recent.length > MAX_RECENT_OTPS) {
      this.logger.warn({ recordId: record.id }, 'too many OTP requests, reusing the last issued one');
      return { otpId: recent[0].id };
    }
    const id = newRecordId();
    await this.records.createSystemRecord('_otps', {
      id,
      collectionRef: collection.id,
      recordRef: record.id,
      password: await hashPassword(code, OTP_HASH_COST),
      sentTo: String(record.email),
    });
    await this.mailer.send(composeAuthMail('otp', { collection, record, settings: this.settings.get(), otp: code }));
    return { otpId: id };
  }

  /** Signs in with a code from `request-otp`; the code is used up, and a mailed code proves the email. */
  async authenticate(request: FastifyRequest, idOrName: string): Promise<AuthResponse> {
    const collection = this.otpCollectionOrThrow(idOrName);
    const body = bodyObject(request.body);
    const errors = requireFields(body, ['otpId', 'password']);
    if (!errors.otpId && String(body.otpId).length > 255) {
      errors.otpId = { code: 'validation_length_out_of_range', message: 'The length must be between 1 and 255.' };
    }
    if (!errors.password && String(body.password).length > 71) {
      errors.password = { code: 'validation_length_out_of_range', message: 'The length must be between 1 and 71.' };
    }
    assertValid(errors);

    const { rows } = await this.records.pool.query<OtpRow>(`SELECT * FROM "_otps" WHERE id = $1`, [body.otpId]);
    const otp = rows[0];
    if (!otp || otp.collectionRef !== collection.id || expiredAfter(otp.created, collection.otp.duration)) {
      throw new AuthError('auth_invalid_otp');
    }
    const record = await this.records.findById(collection, otp.recordRef);
    if (!record) throw new AuthError('auth_invalid_otp');

    // Codes are short digits: guesses are limited per record (and per IP) across replicas.
    const attempt = [collection.id, request.ip, `otp:${record.id}`] as const;
    await this.limiter.assertAllowed('otp', ...attempt);
    if (!(await passwordMatches(String(body.password), otp.password))) {
      await this.limiter.recordFailure('otp', ...attempt);
      throw new AuthError('auth_invalid_otp');
    }
    await this.limiter.recordSuccess('otp', ...attempt);
    const target = this.hooks.target('onRecordAuthWithOTPRequest', collection);
    if (!target) return this.signIn(request, collection, record, otp);
    const { password: _hash, ...otpSeen } = otp;
    let response: AuthResponse | null = null;
    const fields = { record: hookRecordOf(record), otp: otpSeen };
    await this.hooks.run('onRecordAuthWithOTPRequest', target, request, fields, async () => {
      response = await this.signIn(request, collection, record, otp);
    });
    // A handler that skipped next() without refusing leaves no answer: no token, the code unused.
    if (!response) throw new AuthError('auth_invalid_otp');
    return response;
  }

  /** Uses the checked code up and answers the sign-in. */
  private async signIn(
    request: FastifyRequest,
    collection: AuthCollection,
    signedIn: RecordRow,
    otp: OtpRow,
  ): Promise<AuthResponse> {
    let record = signedIn;
    // The code reached the record's current email: that proves the address (even if MFA follows).
    if (record.verified !== true && otp.sentTo !== '' && otp.sentTo === record.email) {
      record = await this.records.systemUpdate(collection, record.id, { verified: true });
    }
    await this.records.deleteSystemRecord('_otps', otp.id);
    return this.responder.respond(request, collection, record, 'otp');
  }

  private otpCollectionOrThrow(idOrName: string): AuthCollection {
    const collection = this.records.collectionOrThrow(idOrName);
    if (!collection.otp.enabled) {
      throw new AuthError('auth_otp_disabled');
    }
    return collection;
  }

  /** The record's OTPs that have not expired, newest first. */
  private async recentOtps(collection: AuthCollection, record: RecordRow): Promise<OtpRow[]> {
    const { rows } = await this.records.pool.query<OtpRow>(
      `SELECT * FROM "_otps" WHERE "collectionRef" = $1 AND "recordRef" = $2 ORDER BY created DESC`,
      [collection.id, record.id],
    );
    return rows.filter((otp) => !expiredAfter(otp.created, collection.otp.duration));
  }
}
