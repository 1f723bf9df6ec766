import type {
  AuthCollection,
  BaseCollection,
  Collection,
  CollectionBase,
  CollectionLookup,
  ViewCollection,
} from '../../model/collection.model';
import type { Field, FieldCommon } from '../../model/field.model';
import { makeCollection, makeLookup } from '../../testing/collection.fixture';

const common = (id: string, name: string, extra: Partial<FieldCommon> = {}): FieldCommon => ({
  id,
  name,
  system: false,
  hidden: false,
  presentable: false,
  ...extra,
});

const text = (id: string, name: string, extra: Partial<FieldCommon> = {}): Field => ({
  ...common(id, name, extra),
  type: 'text',
  required: name === 'id',
  min: 0,
  max: 0,
  pattern: name === 'id' ? '^[a-z0-9]+$' : '',
  autogeneratePattern: '',
  primaryKey: name === 'id',
});

const collectionBase = (id: string, name: string, fields: Field[]): CollectionBase =>
  makeCollection(fields, { id, name });

const token = { duration: 3600, secret: 'x'.repeat(30) };
const template = { subject: '', body: '' };

export const USERS: AuthCollection = {
  ...collectionBase('pbc_users', 'users', [
    text('text3208210256', 'id', { system: true }),
    {
      ...common('password901924565', 'password', { system: true, hidden: true }),
      type: 'password',
      required: true,
      pattern: '',
      min: 8,
      max: 0,
      cost: 0,
    },
    text('text2504183744', 'tokenKey', { system: true, hidden: true }),
    {
      ...common('email3885137012', 'email', { system: true }),
      type: 'email',
      required: true,
      exceptDomains: null,
      onlyDomains: null,
    },
    { ...common('bool1547992806', 'emailVisibility', { system: true }), type: 'bool', required: false },
    { ...common('bool256245529', 'verified', { system: true }), type: 'bool', required: false },
    text('text1579384326', 'name'),
  ]),
  type: 'auth',
  authRule: '',
  manageRule: null,
  authAlert: { enabled: true, emailTemplate: template },
  oauth2: { enabled: false, mappedFields: { id: '', name: '', username: '', avatarURL: '' }, providers: [] },
  passwordAuth: { enabled: true, identityFields: ['email'] },
  mfa: { enabled: false, duration: 1800, rule: '' },
  otp: { enabled: false, duration: 180, length: 8, emailTemplate: template },
  authToken: token,
  passwordResetToken: token,
  emailChangeToken: token,
  verificationToken: token,
  fileToken: token,
  verificationTemplate: template,
  resetPasswordTemplate: template,
  confirmEmailChangeTemplate: template,
};

export const POSTS: BaseCollection = {
  ...collectionBase('pbc_posts', 'posts', [
    text('text3208210256', 'id', { system: true }),
    text('text_title', 'title', { presentable: true }),
    { ...common('number_views', 'views'), type: 'number', required: false, min: 0, max: null, onlyInt: true },
    {
      ...common('relation_tags', 'tags'),
      type: 'relation',
      required: false,
      collectionId: 'pbc_tags',
      cascadeDelete: true,
      minSelect: 0,
      maxSelect: 10,
    },
    { ...common('bool_published', 'published'), type: 'bool', required: false },
    { ...common('json_meta', 'meta'), type: 'json', required: false, maxSize: 2000 },
    {
      ...common('relation_author', 'author'),
      type: 'relation',
      required: true,
      collectionId: 'pbc_users',
      cascadeDelete: false,
      minSelect: 0,
      maxSelect: 1,
    },
    { ...common('select_status', 'status'), type: 'select', required: false, values: ['draft', 'live'], maxSelect: 1 },
    { ...common('autodate_created', 'created'), type: 'autodate', onCreate: true, onUpdate: false },
  ]),
  type: 'base',
};

/** A view collection over posts, for views built on views. */
export const POSTS_VIEW: ViewCollection = {
  ...collectionBase('pbc_posts_view', 'posts_view', [
    text('text3208210256', 'id', { system: true }),
    { ...text('_clone_abcd', 'name'), presentable: true },
  ]),
  type: 'view',
  viewQuery: 'select p.id, p.title as name from posts p',
};

export const TABLES_DDL = [
  `CREATE TABLE "users" (
    "id" text PRIMARY KEY, "password" text NOT NULL DEFAULT '', "tokenKey" text NOT NULL DEFAULT '',
    "email" text NOT NULL DEFAULT '', "emailVisibility" boolean NOT NULL DEFAULT false,
    "verified" boolean NOT NULL DEFAULT false, "name" text NOT NULL DEFAULT ''
  )`,
  `CREATE TABLE "posts" (
    "id" text PRIMARY KEY, "title" text NOT NULL DEFAULT '', "views" double precision NOT NULL DEFAULT 0,
    "tags" text[] NOT NULL DEFAULT '{}', "published" boolean NOT NULL DEFAULT false, "meta" jsonb NULL,
    "author" text NOT NULL DEFAULT '', "status" text NOT NULL DEFAULT '', "created" text NOT NULL DEFAULT ''
  )`,
  // Not a collection: columns read from it are typed like expressions.
  `CREATE TABLE "plain" ("id" text PRIMARY KEY, "n" integer NOT NULL DEFAULT 0)`,
  `INSERT INTO "users" ("id", "email") VALUES ('u1', 'a@example.com')`,
  `INSERT INTO "posts" ("id", "title", "author") VALUES ('p1', 'Hello', 'u1'), ('p2', 'World', 'u1')`,
];

const ALL: Collection[] = [USERS, POSTS, POSTS_VIEW];

export const LOOKUP: CollectionLookup = makeLookup(ALL);
