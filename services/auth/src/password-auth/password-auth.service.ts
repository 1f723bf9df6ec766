import { recordMatchesRule } from '@hivebase/records';
import { type AuthCollection, quoteIdent } from '@hivebase/schema';
import {
  ApiError,
  notFound,
  PG_POOL,
  passwordMatches,
  type RecordRow,
  requestAuth,
  ruleContextOf,
  SchemaRegistry,
  signRecordToken,
} from '@hivebase/server';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { authRecordJson } from './auth-record-json';

export interface PasswordAuthBody {
  identity?: unknown;
  password?: unknown;
  identityField?: unknown;
}

const FAILED = 'Failed to authenticate.';

/** `auth-with-password` for any auth collection (`_superusers` included), as PocketBase. */
@Injectable()
export class PasswordAuthService {
  constructor(
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  private authCollectionOrThrow(idOrName: string): AuthCollection {
    const collection = this.registry.find(idOrName);
    if (collection?.type !== 'auth') throw notFound('Missing or invalid auth collection context.');
    return collection;
  }

  async authenticate(
    request: FastifyRequest,
    idOrName: string,
    body: PasswordAuthBody,
  ): Promise<{ token: string; record: Record<string, unknown> }> {
    const collection = this.authCollectionOrThrow(idOrName);
    if (!collection.passwordAuth.enabled) {
      throw new ApiError(403, 'The collection is not configured to allow password authentication.');
    }
    const { identity, password, identityField } = body ?? {};
    const missing: Record<string, { code: string; message: string }> = {};
    if (typeof identity !== 'string' || identity === '')
      missing.identity = { code: 'validation_required', message: 'Missing required value.' };
    if (typeof password !== 'string' || password === '')
      missing.password = { code: 'validation_required', message: 'Missing required value.' };
    const fields = collection.passwordAuth.identityFields;
    if (
      identityField !== undefined &&
      identityField !== '' &&
      (typeof identityField !== 'string' || !fields.includes(identityField))
    ) {
      missing.identityField = { code: 'validation_in_invalid', message: 'Must be a valid value.' };
    }
    if (Object.keys(missing).length > 0)
      throw new ApiError(400, 'An error occurred while validating the submitted data.', missing);

    const candidates = typeof identityField === 'string' && identityField !== '' ? [identityField] : fields;
    const record = await this.findByIdentity(collection, candidates, identity as string);
    const valid = await passwordMatches(password as string, record?.password);
    if (!record || !valid) throw new ApiError(400, FAILED);
    if (collection.authRule === null) {
      throw new ApiError(403, 'The collection is not configured to allow authentication.');
    }
    // The rule sees the record being signed in and the request (still a guest's at this point).
    const auth = await requestAuth(request, this.registry, this.pool);
    const allowed = await recordMatchesRule(
      this.pool,
      this.registry,
      collection,
      record.id,
      collection.authRule,
      ruleContextOf(request, auth, body as Record<string, unknown>),
    );
    if (!allowed) throw new ApiError(400, FAILED);
    return {
      token: signRecordToken(collection, { id: record.id, tokenKey: String(record.tokenKey) }, 'authToken'),
      record: authRecordJson(collection, record),
    };
  }

  private async findByIdentity(
    collection: AuthCollection,
    fieldNames: string[],
    identity: string,
  ): Promise<RecordRow | null> {
    for (const name of fieldNames) {
      const field = collection.fields.find((candidate) => candidate.name === name);
      if (!field) continue;
      // Emails match case-insensitively, as PocketBase's email identity lookup does.
      const column = quoteIdent(name);
      const where = field.type === 'email' ? `lower(${column}) = lower($1)` : `${column}::text = $1`;
      const { rows } = await this.pool.query<RecordRow>(
        `SELECT * FROM ${quoteIdent(collection.name)} WHERE ${where} LIMIT 1`,
        [identity],
      );
      if (rows[0]) return rows[0];
    }
    return null;
  }
}
