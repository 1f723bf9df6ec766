import { SUPERUSERS_COLLECTION_ID } from '@hivebase/schema';
import type { FastifyRequest } from 'fastify';
import type { RequestAuth } from '../auth/request-auth';
import type { HookAuth, HookCollection, HookRequest } from './extension-api';

/** A collection as hooks see it (a copy: handlers cannot change the live metadata). */
export function hookCollectionOf(collection: { id: string; name: string; type: string }): HookCollection {
  return { id: collection.id, name: collection.name, type: collection.type as HookCollection['type'] };
}

/** The caller as hooks see it, without the password hash and tokenKey. */
export function hookAuthOf(auth: RequestAuth | null): HookAuth | null {
  if (!auth) return null;
  const { password: _password, tokenKey: _tokenKey, ...record } = auth.record;
  return {
    collectionId: auth.collection.id,
    collectionName: auth.collection.name,
    record: { ...record, id: String(auth.record.id) },
    isSuperuser: auth.collection.id === SUPERUSERS_COLLECTION_ID,
  };
}

export function hookRequestOf(request: FastifyRequest): HookRequest {
  return {
    method: request.method,
    url: request.url,
    headers: { ...request.headers },
    query: { ...((request.query ?? {}) as Record<string, unknown>) },
    ip: request.ip,
  };
}
