import type { Field } from './field.model';

export const COLLECTION_TYPES = ['base', 'auth', 'view'] as const;
export type CollectionType = (typeof COLLECTION_TYPES)[number];

/** null = superusers only; "" = everyone; otherwise a filter expression the record must match. */
export type ApiRule = string | null;

export interface TokenConfig {
  /** Seconds. */
  duration: number;
  /** Signing secret; stored, never sent to clients. */
  secret: string;
}

export interface EmailTemplate {
  subject: string;
  body: string;
}

export interface OAuth2Provider {
  name: string;
  clientId: string;
  /** Stored, never sent to clients. */
  clientSecret: string;
  authURL: string;
  tokenURL: string;
  userInfoURL: string;
  displayName: string;
  pkce: boolean | null;
  extra: Record<string, unknown> | null;
}

/** Options that only auth collections have, as PocketBase names them. */
export interface AuthOptions {
  authRule: ApiRule;
  manageRule: ApiRule;
  authAlert: { enabled: boolean; emailTemplate: EmailTemplate };
  oauth2: {
    enabled: boolean;
    mappedFields: { id: string; name: string; username: string; avatarURL: string };
    providers: OAuth2Provider[];
  };
  passwordAuth: { enabled: boolean; identityFields: string[] };
  mfa: { enabled: boolean; duration: number; rule: string };
  otp: { enabled: boolean; duration: number; length: number; emailTemplate: EmailTemplate };
  authToken: TokenConfig;
  passwordResetToken: TokenConfig;
  emailChangeToken: TokenConfig;
  verificationToken: TokenConfig;
  fileToken: TokenConfig;
  verificationTemplate: EmailTemplate;
  resetPasswordTemplate: EmailTemplate;
  confirmEmailChangeTemplate: EmailTemplate;
}

/** A collection as stored in `_collections` (secrets included). */
export interface CollectionBase {
  id: string;
  name: string;
  type: CollectionType;
  system: boolean;
  fields: Field[];
  /** PocketBase (SQLite) index statements, e.g. "CREATE UNIQUE INDEX `idx_x` ON `posts` (`title`)". */
  indexes: string[];
  listRule: ApiRule;
  viewRule: ApiRule;
  createRule: ApiRule;
  updateRule: ApiRule;
  deleteRule: ApiRule;
  /** `YYYY-MM-DD HH:MM:SS.sssZ`. */
  created: string;
  updated: string;
}

export interface BaseCollection extends CollectionBase {
  type: 'base';
}

export interface ViewCollection extends CollectionBase {
  type: 'view';
  /** A Postgres SELECT; the fields are inferred from it. */
  viewQuery: string;
}

export interface AuthCollection extends CollectionBase, AuthOptions {
  type: 'auth';
}

export type Collection = BaseCollection | ViewCollection | AuthCollection;

export const isAuthCollection = (collection: Collection): collection is AuthCollection => collection.type === 'auth';
export const isViewCollection = (collection: Collection): collection is ViewCollection => collection.type === 'view';

/** Looks collections up by id or name; the filter resolver and record engine read schema through it. */
export interface CollectionLookup {
  /** By id, or by name (case-insensitive, as PocketBase). */
  find(idOrName: string): Collection | undefined;
  all(): readonly Collection[];
}

/** PocketBase's fixed id of the superusers collection. */
export const SUPERUSERS_COLLECTION_ID = 'pbc_3142635823';
export const SUPERUSERS_COLLECTION_NAME = '_superusers';
