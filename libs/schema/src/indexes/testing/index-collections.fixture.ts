import type { BaseCollection } from '../../model/collection.model';
import type { Field, FieldCommon } from '../../model/field.model';
import { makeCollection, makeLookup } from '../../testing/collection.fixture';

const common = (name: string, system = false): FieldCommon => ({
  id: `f_${name}`,
  name,
  system,
  hidden: false,
  presentable: false,
});

const text = (name: string, system = false): Field => ({
  ...common(name, system),
  type: 'text',
  required: false,
  min: 0,
  max: 0,
  pattern: '',
  autogeneratePattern: '',
  primaryKey: name === 'id',
});

/**
 * `posts` with one field per storage kind: text (`title`, `slug`, `id`), email, number, bool,
 * multi relation (text[]), single select (text), json, geoPoint.
 */
export function postsCollection(overrides: Partial<BaseCollection> = {}): BaseCollection {
  const fields: Field[] = [
    text('id', true),
    text('title'),
    text('slug'),
    { ...common('email'), type: 'email', required: false, exceptDomains: null, onlyDomains: null },
    { ...common('views'), type: 'number', required: false, min: null, max: null, onlyInt: false },
    { ...common('published'), type: 'bool', required: false },
    {
      ...common('tags'),
      type: 'relation',
      required: false,
      collectionId: 'pbc_tags',
      cascadeDelete: false,
      minSelect: 0,
      maxSelect: 5,
    },
    { ...common('status'), type: 'select', required: false, values: ['draft', 'live'], maxSelect: 1 },
    { ...common('meta'), type: 'json', required: false, maxSize: 0 },
    { ...common('location'), type: 'geoPoint', required: false },
  ];
  return makeCollection(fields, { id: 'pbc_posts', name: 'posts', ...overrides });
}

/** The `posts` table as the schema sync would create it. */
export const POSTS_TABLE_DDL = `CREATE TABLE "posts" (
  "id" text PRIMARY KEY,
  "title" text NOT NULL DEFAULT '',
  "slug" text NOT NULL DEFAULT '',
  "email" text NOT NULL DEFAULT '',
  "views" double precision NOT NULL DEFAULT 0,
  "published" boolean NOT NULL DEFAULT false,
  "tags" text[] NOT NULL DEFAULT '{}',
  "status" text NOT NULL DEFAULT '',
  "meta" jsonb NULL,
  "location" jsonb NOT NULL DEFAULT '{"lon":0,"lat":0}'
)`;

/** A lookup over a fixed list, for validation tests. */
export const lookupOf = makeLookup;
