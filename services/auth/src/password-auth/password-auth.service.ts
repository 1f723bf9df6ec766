import {
  ExtensionRegistry,
  hookAuthOf,
  hookCollectionOf,
  hookRequestOf,
  passwordMatches,
  type RecordRow,
  RequestAuthenticator,
} from '@hivebase/runtime';
import type { AuthCollection } from '@hivebase/schema';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthError } from '../core/auth.errors';
import { AuthRecords, bodyObject } from '../core/auth-records';
import { AuthResponder, type AuthResponse } from '../core/auth-responder';
import { assertValid, requireFields } from '../core/validation';
import { AuthAttemptLimiter } from '../rate-limit';

/** `auth-with-password` for any auth collection (`_superusers` included), as PocketBase. */
@Injectable()
export class PasswordAuthService {
  constructor(
    @Inject(AuthRecords) private readonly records: AuthRecords,
    @Inject(AuthResponder) private readonly responder: AuthResponder,
    @Inject(AuthAttemptLimiter) private readonly limiter: AuthAttemptLimiter,
    @Inject(ExtensionRegistry) private readonly extensions: ExtensionRegistry,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
  ) {}

  async authenticate(request: FastifyRequest, idOrName: string): Promise<AuthResponse> {
    const collection = this.records.collectionOrThrow(idOrName);
    if (!collection.passwordAuth.enabled) {
      throw new AuthError('auth_password_disabled');
    }
    const body = bodyObject(request.body);
    const { identity, password, identityField } = body;
    const fields = collection.passwordAuth.identityFields;
    const errors = requireFields(body, ['identity', 'password']);
    if (
      identityField !== undefined &&
      identityField !== '' &&
      (typeof identityField !== 'string' || !fields.includes(identityField))
    ) {
      errors.identityField = { code: 'validation_in_invalid', message: 'Must be a valid value.' };
    }
    assertValid(errors);

    const attempt = [collection.id, request.ip, String(identity)] as const;
    await this.limiter.assertAllowed('password', ...attempt);
    const candidates = typeof identityField === 'string' && identityField !== '' ? [identityField] : fields;
    const record = await this.findByIdentity(collection, candidates, identity as string);
    const target = hookCollectionOf(collection);
    if (
      this.extensions.hooksAny('onRecordAuthWithPasswordRequest') &&
      this.extensions.has('onRecordAuthWithPasswordRequest', target)
    ) {
      const event = {
        collection: target,
        auth: hookAuthOf(await this.authenticator.of(request)),
        request: hookRequestOf(request),
        identity: String(identity),
        identityField: typeof identityField === 'string' ? identityField : '',
        password: String(password),
        record: record ? withoutSecrets(record) : null,
      };
      let response = null as AuthResponse | null;
      await this.extensions.run('onRecordAuthWithPasswordRequest', target, event, async () => {
        response = await this.verify(request, collection, attempt, record, event.password);
      });
      // A handler that skipped next() without refusing leaves no answer: PocketBase's failed sign-in.
      if (!response) throw new AuthError('auth_failed');
      return response;
    }
    return this.verify(request, collection, attempt, record, password as string);
  }

  private async verify(
    request: FastifyRequest,
    collection: AuthCollection,
    attempt: readonly [string, string, string],
    record: RecordRow | null,
    password: string,
  ): Promise<AuthResponse> {
    // Unknown identities cost a bcrypt comparison too, so timing does not tell which emails exist.
    const valid = await passwordMatches(password, record?.password);
    if (!record || !valid) {
      await this.limiter.recordFailure('password', ...attempt);
      throw new AuthError('auth_failed');
    }
    await this.limiter.recordSuccess('password', ...attempt);
    return this.responder.respond(request, collection, record, 'password');
  }

  private async findByIdentity(
    collection: AuthCollection,
    fieldNames: string[],
    identity: string,
  ): Promise<RecordRow | null> {
    for (const name of fieldNames) {
      if (!collection.fields.some((candidate) => candidate.name === name)) continue;
      const record = await this.records.findByIdentity(collection, name, identity);
      if (record) return record;
    }
    return null;
  }
}

/** An auth record as hooks see it: no password hash, no tokenKey. */
function withoutSecrets(record: RecordRow): Record<string, unknown> {
  const { password: _password, tokenKey: _tokenKey, ...rest } = record;
  return rest;
}
