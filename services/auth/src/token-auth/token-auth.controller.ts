import {
  BODY_POLICIES,
  BodyErrors,
  peekClaims,
  RequestAuthenticator,
  SuperuserGuard,
  signRecordToken,
  tokenFromHeader,
} from '@hivebase/runtime';
import { Controller, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthError } from '../core/auth.errors';
import { AuthHooks, hookRecordOf, rowWithHookChanges } from '../core/auth-hooks';
import { AuthRecords, bodyObject } from '../core/auth-records';
import { AuthResponder, type AuthResponse } from '../core/auth-responder';
import { validationFailed } from '../core/validation';

/** Flows that start from a token already held: `auth-refresh` and a superuser's `impersonate`. */
@Controller('api/collections/:collection')
export class TokenAuthController {
  constructor(
    @Inject(AuthRecords) private readonly records: AuthRecords,
    @Inject(AuthResponder) private readonly responder: AuthResponder,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(AuthHooks) private readonly hooks: AuthHooks,
  ) {}

  /** A fresh token for the caller (the same one if it is not refreshable), if it is of this collection. */
  @Post('auth-refresh')
  @HttpCode(200)
  async refresh(@Req() request: FastifyRequest, @Param('collection') idOrName: string): Promise<AuthResponse> {
    const auth = await this.authenticator.of(request);
    if (!auth) throw new AuthError('auth_token_required');
    const collection = this.records.collectionOrThrow(idOrName);
    if (auth.collection.id !== collection.id) {
      throw new AuthError('auth_wrong_collection', {}, { params: { collection: auth.collection.name } });
    }
    // The token was verified by the authenticator; only its `refreshable` claim is left to read.
    // A non-refreshable one (impersonation) comes back unchanged with the record, as PocketBase does.
    const token = tokenFromHeader(request.headers.authorization) ?? '';
    const options = peekClaims(token)?.refreshable !== true ? { token } : {};
    const target = this.hooks.target('onRecordAuthRefreshRequest', collection);
    if (!target) return this.responder.respond(request, collection, auth.record, null, options);
    // Extensions see the caller's record; what they change there is answered.
    let response: AuthResponse | null = null;
    const fields = { record: hookRecordOf(auth.record) };
    await this.hooks.run('onRecordAuthRefreshRequest', target, request, fields, async (event) => {
      response = await this.responder.respond(
        request,
        collection,
        rowWithHookChanges(auth.record, event.record),
        null,
        options,
      );
    });
    // A handler that skipped next() without refusing leaves no answer: no token, a failed sign-in.
    if (!response) throw new AuthError('auth_failed');
    return response;
  }

  /**
   * Superusers only: a non-refreshable token for another auth record, valid for `duration`
   * seconds (0 or missing: the collection's auth token duration).
   */
  @BodyErrors(BODY_POLICIES.loadFailedAlways)
  @Post('impersonate/:id')
  @HttpCode(200)
  @UseGuards(SuperuserGuard)
  async impersonate(
    @Req() request: FastifyRequest,
    @Param('collection') idOrName: string,
    @Param('id') id: string,
  ): Promise<AuthResponse> {
    const collection = this.records.collectionOrThrow(idOrName);
    const record = await this.records.findById(collection, id);
    if (!record) throw new AuthError('auth_not_found');
    const duration = bodyObject(request.body).duration ?? 0;
    if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 0) {
      throw validationFailed({
        duration: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 0.' },
      });
    }
    const token = signRecordToken(
      collection,
      { id: record.id, tokenKey: String(record.tokenKey) },
      'authToken',
      { refreshable: false },
      duration || collection.authToken.duration,
    );
    return this.responder.respond(request, collection, record, null, { token });
  }
}
