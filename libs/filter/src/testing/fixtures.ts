import { createEmptyTestDatabase } from '@hivebase/platform/testing';
import type { AuthCollection, BaseCollection, Collection, CollectionLookup, Field, FieldOf } from '@hivebase/schema';
import { isMultiValue, quoteIdent, storageKindOf } from '@hivebase/schema';
import pg from 'pg';

// A small schema with every storage kind, relations both ways, an auth collection and a locked one.

const common = (name: string) => ({ id: `f_${name}`, name, system: false, hidden: false, presentable: false });
export const text = (name: string, hidden = false): FieldOf<'text'> => ({
  ...common(name),
  hidden,
  type: 'text',
  required: false,
  min: 0,
  max: 0,
  pattern: '',
  autogeneratePattern: '',
  primaryKey: name === 'id',
});
export const num = (name: string): FieldOf<'number'> => ({
  ...common(name),
  type: 'number',
  required: false,
  min: null,
  max: null,
  onlyInt: false,
});
export const bool = (name: string): FieldOf<'bool'> => ({ ...common(name), type: 'bool', required: false });
export const date = (name: string): FieldOf<'date'> => ({
  ...common(name),
  type: 'date',
  required: false,
  min: '',
  max: '',
});
export const json = (name: string): FieldOf<'json'> => ({ ...common(name), type: 'json', required: false, maxSize: 0 });
export const geo = (name: string): FieldOf<'geoPoint'> => ({ ...common(name), type: 'geoPoint', required: false });
export const email = (name: string): FieldOf<'email'> => ({
  ...common(name),
  type: 'email',
  required: false,
  exceptDomains: null,
  onlyDomains: null,
});
export const select = (name: string, values: string[], maxSelect: number): FieldOf<'select'> => ({
  ...common(name),
  type: 'select',
  required: false,
  values,
  maxSelect,
});
export const relation = (name: string, collectionId: string, maxSelect: number): FieldOf<'relation'> => ({
  ...common(name),
  type: 'relation',
  required: false,
  collectionId,
  cascadeDelete: false,
  minSelect: 0,
  maxSelect,
});
export const file = (name: string, maxSelect: number): FieldOf<'file'> => ({
  ...common(name),
  type: 'file',
  required: false,
  maxSize: 0,
  maxSelect,
  mimeTypes: null,
  thumbs: null,
  protected: false,
});
const password = (): FieldOf<'password'> => ({
  ...common('password'),
  hidden: true,
  type: 'password',
  required: false,
  pattern: '',
  min: 0,
  max: 0,
  cost: 0,
});

const rules = { listRule: '', viewRule: '', createRule: null, updateRule: null, deleteRule: null };
const dates = { created: '2024-01-01 00:00:00.000Z', updated: '2024-01-01 00:00:00.000Z' };

export function base(id: string, name: string, fields: Field[], extra: Partial<BaseCollection> = {}): BaseCollection {
  return {
    id,
    name,
    type: 'base',
    system: false,
    fields: [text('id'), ...fields],
    indexes: [],
    ...rules,
    ...dates,
    ...extra,
  };
}

const template = { subject: '', body: '' };
const token = { duration: 0, secret: 'x' };
export function auth(id: string, name: string, fields: Field[], listRule: string | null): AuthCollection {
  return {
    id,
    name,
    type: 'auth',
    system: false,
    fields: [
      text('id'),
      email('email'),
      bool('emailVisibility'),
      bool('verified'),
      password(),
      text('tokenKey', true),
      ...fields,
    ],
    indexes: [],
    ...rules,
    listRule,
    ...dates,
    authRule: '',
    manageRule: null,
    authAlert: { enabled: false, emailTemplate: template },
    oauth2: { enabled: false, mappedFields: { id: '', name: '', username: '', avatarURL: '' }, providers: [] },
    passwordAuth: { enabled: true, identityFields: ['email'] },
    mfa: { enabled: false, duration: 0, rule: '' },
    otp: { enabled: false, duration: 0, length: 0, emailTemplate: template },
    authToken: token,
    passwordResetToken: token,
    emailChangeToken: token,
    verificationToken: token,
    fileToken: token,
    verificationTemplate: template,
    resetPasswordTemplate: template,
    confirmEmailChangeTemplate: template,
  };
}

export const users = auth(
  'c_users',
  'users',
  [text('name'), select('role', ['admin', 'member'], 1), num('age')],
  'id != ""',
);
export const tags = base('c_tags', 'tags', [text('name'), num('weight')]);
export const vaults = base('c_vaults', 'vaults', [text('code')], { listRule: null });
export const posts = base('c_posts', 'posts', [
  text('title'),
  num('views'),
  bool('published'),
  relation('author', 'c_users', 1),
  relation('tags', 'c_tags', 5),
  select('status', ['draft', 'published', 'archived'], 1),
  select('labels', ['a', 'b', 'c'], 3),
  json('meta'),
  geo('location'),
  date('publishedAt'),
  file('attachments', 3),
  text('secret', true),
  relation('vault', 'c_vaults', 1),
]);
export const comments = base('c_comments', 'comments', [
  relation('post', 'c_posts', 1),
  text('message'),
  relation('author', 'c_users', 1),
]);

export const COLLECTIONS: Collection[] = [users, tags, vaults, posts, comments];

export const lookup: CollectionLookup = {
  find: (idOrName) => COLLECTIONS.find((c) => c.id === idOrName || c.name.toLowerCase() === idOrName.toLowerCase()),
  all: () => COLLECTIONS,
};

type Row = Record<string, unknown>;
export const ROWS: Record<string, Row[]> = {
  users: [
    {
      id: 'u1',
      email: 'ann@x.io',
      emailVisibility: true,
      verified: true,
      password: 'h',
      tokenKey: 'k1',
      name: 'Ann',
      role: 'admin',
      age: 41,
    },
    {
      id: 'u2',
      email: 'bob@x.io',
      emailVisibility: false,
      verified: false,
      password: 'h',
      tokenKey: 'k2',
      name: 'Bob',
      role: 'member',
      age: 17,
    },
    {
      id: 'u3',
      email: 'cy@x.io',
      emailVisibility: true,
      verified: false,
      password: 'h',
      tokenKey: 'k3',
      name: '',
      role: '',
      age: 0,
    },
  ],
  tags: [
    { id: 't1', name: 'go', weight: 1 },
    { id: 't2', name: 'Node', weight: 5 },
    { id: 't3', name: 'sql_x', weight: 10 },
  ],
  vaults: [{ id: 'v1', code: 'zzz' }],
  posts: [
    {
      id: 'p1',
      title: 'Hello World',
      views: 10,
      published: true,
      author: 'u1',
      tags: ['t1', 't2'],
      status: 'published',
      labels: ['a', 'b'],
      meta: { a: { b: 1 }, n: 5, s: 'x', list: [1, 2] },
      location: { lon: 13.4, lat: 52.5 },
      publishedAt: '2024-03-01 10:00:00.000Z',
      attachments: ['f1.png'],
      secret: 's1',
      vault: 'v1',
    },
    {
      id: 'p2',
      title: 'second post',
      views: 0,
      published: false,
      author: 'u2',
      tags: ['t2'],
      status: 'draft',
      labels: [],
      meta: null,
      location: { lon: 2.35, lat: 48.85 },
      publishedAt: '',
      attachments: [],
      secret: '',
      vault: '',
    },
    {
      id: 'p3',
      title: '100% sure_thing',
      views: 250.5,
      published: true,
      author: '',
      tags: [],
      status: '',
      labels: ['c'],
      meta: { n: '5', s: 'y', flag: true },
      location: { lon: 0, lat: 0 },
      publishedAt: '2023-12-31 23:59:59.999Z',
      attachments: ['a.txt', 'b.txt'],
      secret: 'x',
      vault: '',
    },
    {
      id: 'p4',
      title: 'O\'Brien "quoted" \\ back',
      views: -3,
      published: false,
      author: 'u3',
      tags: ['t1', 't3', 'missing'],
      status: 'archived',
      labels: ['a', 'c'],
      meta: 'plain',
      location: { lon: 13.41, lat: 52.52 },
      publishedAt: '2024-03-02 00:00:00.000Z',
      attachments: [],
      secret: '',
      vault: 'v1',
    },
    {
      id: 'p5',
      title: '',
      views: 5,
      published: true,
      author: 'u1',
      tags: ['t3'],
      status: 'published',
      labels: ['b'],
      meta: { a: { b: 'x' }, n: 7 },
      location: { lon: -74, lat: 40.7 },
      publishedAt: '2024-02-29 12:00:00.000Z',
      attachments: [],
      secret: '',
      vault: '',
    },
  ],
  comments: [
    { id: 'c1', post: 'p1', message: 'nice', author: 'u2' },
    { id: 'c2', post: 'p1', message: 'great', author: 'u3' },
    { id: 'c3', post: 'p2', message: 'meh', author: 'u1' },
  ],
};

export const SQL_TYPE = {
  text: `text NOT NULL DEFAULT ''`,
  number: 'double precision NOT NULL DEFAULT 0',
  bool: 'boolean NOT NULL DEFAULT false',
  textList: `text[] NOT NULL DEFAULT '{}'`,
  json: 'jsonb NULL',
  geoPoint: `jsonb NOT NULL DEFAULT '{"lon":0,"lat":0}'`,
} as const;

const q = quoteIdent;

/** Creates a fresh database with the fixture tables and rows; returns a client and a drop function. */
export async function createFixtureDatabase(): Promise<{ client: pg.Client; drop: () => Promise<void> }> {
  const database = await createEmptyTestDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  for (const collection of COLLECTIONS) {
    const columns = collection.fields.map(
      (f) => `${q(f.name)} ${f.name === 'id' ? 'text PRIMARY KEY' : SQL_TYPE[storageKindOf(f)]}`,
    );
    await client.query(`CREATE TABLE ${q(collection.name)} (${columns.join(', ')})`);
    for (const row of ROWS[collection.name] ?? []) {
      const fields = collection.fields.filter((f) => f.name in row);
      const values = fields.map((f) => {
        const v = row[f.name];
        const kind = storageKindOf(f);
        if (kind === 'json' || kind === 'geoPoint') return v === null ? null : JSON.stringify(v);
        if (isMultiValue(f)) return v;
        return v;
      });
      await client.query(
        `INSERT INTO ${q(collection.name)} (${fields.map((f) => q(f.name)).join(', ')}) VALUES (${fields
          .map((_, i) => `$${i + 1}`)
          .join(', ')})`,
        values,
      );
    }
  }
  return {
    client,
    drop: async () => {
      await client.end();
      await database.drop();
    },
  };
}

/** Ids of `collection` rows matching the compiled WHERE fragment, sorted. */
export async function matchingIds(
  client: pg.Client,
  collection: string,
  sql: string,
  params: unknown[],
): Promise<string[]> {
  const result = await client.query<{ id: string }>(
    `SELECT ${q(collection)}."id" FROM ${q(collection)} WHERE ${sql} ORDER BY 1`,
    params,
  );
  return result.rows.map((r) => r.id);
}
