import { type AuthCollection, quoteIdent, SUPERUSERS_COLLECTION_ID } from '@hivebase/schema';
import type { FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import type { SchemaRegistry } from '../schema/schema-registry';
import { peekClaims, tokenFromHeader, verifyRecordToken } from './auth-token';

/** A stored record as node-pg returns it. */
export type RecordRow = Record<string, unknown> & { id: string };

/** Who is making a request: an auth record and its collection, or nobody (a guest). */
export interface RequestAuth {
  collection: AuthCollection;
  record: RecordRow;
}

export const isSuperuser = (auth: RequestAuth | null) => auth?.collection.id === SUPERUSERS_COLLECTION_ID;

const RESOLVED = Symbol('hivebase.requestAuth');
type WithAuth = FastifyRequest & { [RESOLVED]?: Promise<RequestAuth | null> };

/** Loads one record by id from a collection's table. */
export async function findRecordById(pool: Pool, collection: { name: string }, id: string): Promise<RecordRow | null> {
  const { rows } = await pool.query<RecordRow>(`SELECT * FROM ${quoteIdent(collection.name)} WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/**
 * The request's auth, from its Authorization header, resolved once per request. An invalid,
 * expired or foreign token makes the request a guest's, as in PocketBase.
 */
export function requestAuth(
  request: FastifyRequest,
  registry: SchemaRegistry,
  pool: Pool,
): Promise<RequestAuth | null> {
  const withAuth = request as WithAuth;
  withAuth[RESOLVED] ??= resolve(tokenFromHeader(request.headers.authorization), registry, pool);
  return withAuth[RESOLVED];
}

async function resolve(token: string | null, registry: SchemaRegistry, pool: Pool): Promise<RequestAuth | null> {
  if (!token) return null;
  const claims = peekClaims(token);
  if (typeof claims?.collectionId !== 'string' || typeof claims.id !== 'string') return null;
  const collection = registry.find(claims.collectionId);
  if (collection?.type !== 'auth' || collection.id !== claims.collectionId) return null;
  const record = await findRecordById(pool, collection, claims.id);
  if (!record || typeof record.tokenKey !== 'string') return null;
  return verifyRecordToken(token, collection, record.tokenKey, 'authToken') ? { collection, record } : null;
}
