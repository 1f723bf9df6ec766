import { createHash } from 'node:crypto';
import { ApiReply } from '@hivebase/platform';
import { RecordsError, recordMatchesRule } from '@hivebase/records';
import {
  composeAuthMail,
  ExtensionRegistry,
  hookAuthOf,
  hookCollectionOf,
  hookRequestOf,
  isSuperuser,
  Mailer,
  type RecordRow,
  type RequestAuth,
  RequestAuthenticator,
  SettingsService,
  SuperuserIps,
  signRecordToken,
} from '@hivebase/runtime';
import { type AuthCollection, newRecordId, parseDateTimeMs } from '@hivebase/schema';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthError } from './auth.errors';
import { AuthRecords, bodyObject } from './auth-records';

/** How the caller proved who they are; MFA needs two different ones. */
export type AuthMethod = 'password' | 'otp' | 'oauth2';

/** PocketBase's successful authentication: `meta` (OAuth2 only) first, as its struct orders them. */
export interface AuthResponse {
  meta?: Record<string, unknown>;
  record: Record<string, unknown>;
  token: string;
}

/** Most sign-in origins remembered per record; older ones are forgotten (PocketBase keeps 5). */
const MAX_AUTH_ORIGINS = 5;

/**
 * The last step every sign-in shares: the collection's authRule, MFA, the new-origin alert and
 * the `{token, record, meta?}` answer (the record as its owner sees it, `?expand` applied).
 */
@Injectable()
export class AuthResponder {
  private readonly logger = new Logger(AuthResponder.name);

  constructor(
    @Inject(AuthRecords) private readonly records: AuthRecords,
    @Inject(Mailer) private readonly mailer: Mailer,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(SuperuserIps) private readonly superuserIps: SuperuserIps,
    @Inject(ExtensionRegistry) private readonly extensions: ExtensionRegistry,
  ) {}

  /**
   * Answers a sign-in of `record` by `method` (null: a token-based flow such as refresh or
   * impersonation, which skips MFA and alerts). `token` defaults to a fresh auth token.
   */
  async respond(
    request: FastifyRequest,
    collection: AuthCollection,
    record: RecordRow,
    method: AuthMethod | null,
    options: { meta?: Record<string, unknown>; token?: string } = {},
  ): Promise<AuthResponse> {
    const body = bodyObject(request.body);
    // A superuser signs in only from an allowed address (PocketBase checks before the authRule).
    this.superuserIps.assertAllowed(request, { collection, record });
    const caller = await this.authenticator.of(request);
    if (!(await this.matches(collection, record, collection.authRule, request, caller, method))) {
      throw new AuthError('auth_rule_unmet');
    }
    if (method && collection.mfa.enabled) await this.checkMfa(request, collection, record, method, caller);

    const auth = { collection, record };
    const access = this.records.access(request, auth, body);
    // The signed-in record sees itself: its email always, and hidden fields too when it is a superuser.
    const json = this.records.reader.toJson(collection, record, { ...access, isSuperuser: isSuperuser(auth) });
    const expand =
      typeof (request.query as Record<string, unknown>)?.expand === 'string'
        ? (request.query as Record<string, string>).expand
        : undefined;
    const expanded = await this.records.reader.expandWritten(collection, json, expand, access);
    if (method && collection.authAlert.enabled) {
      await this.rememberOrigin(request, collection, record).catch((error) =>
        this.logger.warn({ err: error, recordId: record.id }, 'failed to record the sign-in origin'),
      );
    }
    const token =
      options.token ?? signRecordToken(collection, { id: record.id, tokenKey: String(record.tokenKey) }, 'authToken');
    const target = hookCollectionOf(collection);
    if (this.extensions.hooksAny('onRecordAuthRequest') && this.extensions.has('onRecordAuthRequest', target)) {
      // Extensions see (and may change) the answer before it goes; a throwing one refuses the sign-in.
      const event = {
        collection: target,
        auth: hookAuthOf(caller),
        request: hookRequestOf(request),
        record: expanded,
        token,
        meta: options.meta ?? null,
        authMethod: method ?? '',
      };
      await this.extensions.run('onRecordAuthRequest', target, event, async () => undefined);
      return { ...(event.meta ? { meta: event.meta } : {}), record: event.record, token: event.token };
    }
    return { ...(options.meta ? { meta: options.meta } : {}), record: expanded, token };
  }

  private matches(
    collection: AuthCollection,
    record: RecordRow,
    rule: string | null,
    request: FastifyRequest,
    caller: RequestAuth | null,
    method: AuthMethod | null,
  ): Promise<boolean> {
    // `@request.context` names the sign-in method, as PocketBase's rules see it.
    const context = {
      ...this.records.access(request, caller, request.body).request,
      context: method ?? ('default' as const),
    };
    return recordMatchesRule(this.records.pool, this.records.registry, collection, record.id, rule, context);
  }

  /**
   * PocketBase's MFA: the first method answers 401 `{mfaId}`; a second, different method that
   * brings the mfaId (query or body) completes the sign-in. `mfa.rule` picks whom it applies to.
   */
  private async checkMfa(
    request: FastifyRequest,
    collection: AuthCollection,
    record: RecordRow,
    method: AuthMethod,
    caller: RequestAuth | null,
  ): Promise<void> {
    const rule = collection.mfa.rule.trim();
    if (rule !== '' && !(await this.matches(collection, record, rule, request, caller, method))) return;
    const query = request.query as Record<string, unknown>;
    const given = [query?.mfaId, bodyObject(request.body).mfaId].find((value) => typeof value === 'string' && value);
    const pool = this.records.pool;
    if (!given) {
      const id = newRecordId();
      await this.records.createSystemRecord('_mfas', {
        id,
        collectionRef: collection.id,
        recordRef: record.id,
        method,
      });
      throw new ApiReply(401, { mfaId: id });
    }
    const { rows } = await pool.query<{
      id: string;
      collectionRef: string;
      recordRef: string;
      method: string;
      created: string;
    }>(`SELECT * FROM "_mfas" WHERE id = $1`, [given]);
    const mfa = rows[0];
    const expired = !mfa || expiredAfter(mfa.created, collection.mfa.duration);
    if (expired) {
      if (mfa) await this.records.deleteSystemRecord('_mfas', mfa.id);
      throw new AuthError('auth_mfa_expired');
    }
    if (mfa.recordRef !== record.id || mfa.collectionRef !== collection.id) {
      throw new AuthError('auth_mfa_invalid');
    }
    if (mfa.method === method) throw new AuthError('auth_mfa_same_method');
    await this.records.deleteSystemRecord('_mfas', mfa.id);
  }

  /**
   * Remembers where the record signed in from (IP + user agent) and mails an alert for a new
   * origin, except on the very first sign-in, as PocketBase does. The mail goes through the queue.
   */
  private async rememberOrigin(request: FastifyRequest, collection: AuthCollection, record: RecordRow): Promise<void> {
    const userAgent = String(request.headers['user-agent'] ?? '').slice(0, 300);
    const fingerprint = createHash('md5')
      .update(request.ip + userAgent)
      .digest('hex');
    const pool = this.records.pool;
    const { rows: origins } = await pool.query<{ id: string; fingerprint: string }>(
      `SELECT id, fingerprint FROM "_authOrigins" WHERE "collectionRef" = $1 AND "recordRef" = $2 ORDER BY updated DESC`,
      [collection.id, record.id],
    );
    const known = origins.find((origin) => origin.fingerprint === fingerprint);
    if (known) {
      await this.records.touchSystemRecord('_authOrigins', known.id);
      return;
    }
    if (origins.length > 0 && typeof record.email === 'string' && record.email !== '') {
      await this.mailer.send(
        composeAuthMail('authAlert', {
          collection,
          record,
          settings: this.settings.get(),
          alertInfo: `${request.ip} ${userAgent}`.trim(),
        }),
      );
    }
    const stale = origins.slice(MAX_AUTH_ORIGINS - 1).map((origin) => origin.id);
    for (const id of stale) await this.records.deleteSystemRecord('_authOrigins', id);
    try {
      await this.records.createSystemRecord('_authOrigins', {
        collectionRef: collection.id,
        recordRef: record.id,
        fingerprint,
      });
    } catch (error) {
      // A concurrent sign-in from the same origin stored it first (the unique index refuses ours).
      if (!(error instanceof RecordsError && error.code === 'records_create_failed')) throw error;
    }
  }
}

/** Whether something created at `created` (PocketBase's date text) is older than `seconds`. */
export function expiredAfter(created: string, seconds: number): boolean {
  const at = parseDateTimeMs(created);
  return at === null || at + seconds * 1000 < Date.now();
}
