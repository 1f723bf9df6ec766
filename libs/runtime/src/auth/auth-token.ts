import { createSecretKey, type KeyObject } from 'node:crypto';
import type { AuthCollection, TokenKind } from '@hivebase/schema';
import jwt from 'jsonwebtoken';

/** Claims of PocketBase's tokens (`type` names the token kind: auth, file, verification, …). */
export interface TokenClaims {
  id: string;
  type: string;
  collectionId: string;
  refreshable?: boolean;
  exp: number;
  [claim: string]: unknown;
}

const TOKEN_TYPES: Record<TokenKind, string> = {
  authToken: 'auth',
  fileToken: 'file',
  verificationToken: 'verification',
  passwordResetToken: 'passwordReset',
  emailChangeToken: 'emailChange',
};

/**
 * The signing key: the record's tokenKey plus the collection's secret for that token kind. A
 * KeyObject, because given a string jsonwebtoken first tries it as a public key on every call
 * (a thrown-and-caught parse that cost a fifth of a request's CPU in the records benchmark).
 */
const signingKey = (collection: AuthCollection, kind: TokenKind, tokenKey: string): KeyObject =>
  createSecretKey(Buffer.from(tokenKey + collection[kind].secret, 'utf8'));

/** Signs a token of `kind` for an auth record, valid for the collection's configured duration. */
export function signRecordToken(
  collection: AuthCollection,
  record: { id: string; tokenKey: string },
  kind: TokenKind,
  extra: Record<string, unknown> = {},
  durationSeconds = collection[kind].duration,
): string {
  const claims: TokenClaims = {
    id: record.id,
    type: TOKEN_TYPES[kind],
    collectionId: collection.id,
    exp: Math.floor(Date.now() / 1000) + durationSeconds,
    ...(kind === 'authToken' ? { refreshable: true } : {}),
    ...extra,
  };
  return jwt.sign(claims, signingKey(collection, kind, record.tokenKey), { algorithm: 'HS256', noTimestamp: true });
}

/** Reads claims without checking the signature, only to find out whose key verifies them. */
export function peekClaims(token: string): Partial<TokenClaims> | null {
  const decoded = jwt.decode(token, { json: true });
  return decoded && typeof decoded === 'object' ? (decoded as Partial<TokenClaims>) : null;
}

/**
 * Verifies a token of `kind` against the record's key: HS256 only (no `none`, no other HMAC
 * sizes, no asymmetric algorithms), unexpired, of the right type and collection.
 */
export function verifyRecordToken(
  token: string,
  collection: AuthCollection,
  tokenKey: string,
  kind: TokenKind,
): TokenClaims | null {
  try {
    const claims = jwt.verify(token, signingKey(collection, kind, tokenKey), { algorithms: ['HS256'] });
    if (typeof claims !== 'object' || claims === null) return null;
    const typed = claims as TokenClaims;
    if (typed.type !== TOKEN_TYPES[kind] || typed.collectionId !== collection.id || typeof typed.exp !== 'number') {
      return null;
    }
    return typed;
  } catch {
    return null;
  }
}

/** The token from an Authorization header, with or without a `Bearer ` prefix (any case). */
export function tokenFromHeader(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const token = value.replace(/^bearer\s+/i, '').trim();
  return token || null;
}
