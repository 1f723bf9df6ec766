import { createEmptyTestDatabase } from '@hivebase/platform/testing';
import type { AuthCollection, Collection, CollectionLookup } from '@hivebase/schema';
import { quoteIdent, storageKindOf } from '@hivebase/schema';
import pg from 'pg';
import type { RequestContext } from '../../src';
import { auth, base, bool, num, relation, SQL_TYPE, select, text } from '../../src/testing/fixtures';

// Collections whose list rules hide records from some callers, joined every way a filter can
// (relations, multiple relations, back-relations, through a rule that itself joins), for the
// rule-bypass tests and fuzz run. Rules use @request, like real ones.

export const users: AuthCollection = auth(
  'j_users',
  'users',
  [
    text('name'),
    select('role', ['public', 'private'], 1),
    relation('team', 'j_teams', 1),
    relation('friends', 'j_users', 3),
  ],
  'id = @request.auth.id || role = "public"',
);
export const teams = base('j_teams', 'teams', [text('name'), relation('members', 'j_users', 5), bool('open')], {
  listRule: 'open = true || members:each ?= @request.auth.id',
});
export const notes = base(
  'j_notes',
  'notes',
  [relation('owner', 'j_users', 1), text('body'), num('score'), bool('public'), relation('tags', 'j_tags', 4)],
  { listRule: 'owner = @request.auth.id || public = true' },
);
export const tags = base('j_tags', 'tags', [text('name'), bool('private')], {
  listRule: 'private = false || @request.auth.id != ""',
});
// a rule that joins: the condition on the joined comment carries its own EXISTS
export const comments = base(
  'j_comments',
  'comments',
  [relation('note', 'j_notes', 1), relation('author', 'j_users', 1), text('text')],
  { listRule: 'note.owner = @request.auth.id || author = @request.auth.id' },
);
export const secrets = base('j_secrets', 'secrets', [relation('owner', 'j_users', 1), text('code')], {
  listRule: null,
});

export const JOIN_COLLECTIONS: Collection[] = [users, teams, notes, tags, comments, secrets];

const lookupOf = (collections: Collection[]): CollectionLookup => ({
  find: (idOrName) => collections.find((c) => c.id === idOrName || c.name.toLowerCase() === idOrName.toLowerCase()),
  all: () => collections,
});

/** The collections with their rules. */
export const joinLookup = lookupOf(JOIN_COLLECTIONS);
/** The same collections with every list rule public: for data already filtered by the rules. */
export const publicLookup = lookupOf(JOIN_COLLECTIONS.map((c) => ({ ...c, listRule: '' })));

type Row = Record<string, unknown>;
const user = (
  id: string,
  email: string,
  emailVisibility: boolean,
  name: string,
  role: string,
  team: string,
  friends: string[],
) => ({
  id,
  email,
  emailVisibility,
  verified: false,
  password: 'h',
  tokenKey: `k_${id}`,
  name,
  role,
  team,
  friends,
});

export const JOIN_ROWS: Record<string, Row[]> = {
  users: [
    user('u_a', 'ann@x.io', true, 'Ann', 'private', 't_red', ['u_b', 'u_c']),
    user('u_b', 'bob@y.io', false, 'Bob', 'private', 't_red', ['u_a']),
    user('u_c', 'cy@x.io', false, 'Cy', 'public', 't_blue', ['u_d', 'u_gone']),
    user('u_d', 'dee@z.io', true, 'Dee', 'public', '', []),
    user('u_e', 'eve@x.io', false, 'Eve', 'private', 't_blue', ['u_c', 'u_a']),
    user('u_f', 'fay@y.io', true, 'Fay', 'public', 't_gray', ['u_b']),
  ],
  teams: [
    { id: 't_red', name: 'red', members: ['u_a', 'u_b'], open: false },
    { id: 't_blue', name: 'blue', members: ['u_c', 'u_e'], open: false },
    { id: 't_gray', name: 'gray', members: ['u_f', 'u_c'], open: true },
  ],
  notes: [
    { id: 'n1', owner: 'u_a', body: 'alpha', score: 1, public: false, tags: ['g1', 'g2'] },
    { id: 'n2', owner: 'u_a', body: 'beta', score: 5, public: true, tags: [] },
    { id: 'n3', owner: 'u_b', body: 'bravo secret', score: 9, public: false, tags: ['g2', 'g3'] },
    { id: 'n4', owner: 'u_b', body: 'alpha', score: 2, public: false, tags: ['g1'] },
    { id: 'n5', owner: 'u_c', body: 'charlie', score: 3, public: true, tags: ['g3'] },
    { id: 'n6', owner: 'u_c', body: 'xray', score: 7, public: false, tags: [] },
    { id: 'n7', owner: 'u_e', body: 'echo', score: 4, public: false, tags: ['g1', 'g3'] },
    { id: 'n8', owner: '', body: 'orphan', score: 0, public: true, tags: ['g2'] },
    { id: 'n9', owner: 'u_f', body: 'foxtrot', score: 6, public: true, tags: ['g_gone'] },
  ],
  tags: [
    { id: 'g1', name: 'red', private: false },
    { id: 'g2', name: 'x', private: true },
    { id: 'g3', name: 'blue', private: false },
  ],
  comments: [
    { id: 'c1', note: 'n1', author: 'u_b', text: 'hi' },
    { id: 'c2', note: 'n3', author: 'u_a', text: 'secret hi' },
    { id: 'c3', note: 'n3', author: 'u_b', text: 'bravo' },
    { id: 'c4', note: 'n5', author: 'u_c', text: 'x' },
    { id: 'c5', note: 'n6', author: 'u_e', text: 'hidden' },
    { id: 'c6', note: 'n2', author: 'u_f', text: 'ok' },
  ],
  secrets: [{ id: 's1', owner: 'u_a', code: 'zzz' }],
};

/** Values stored above (and fragments of them), so generated comparisons often hit real data. */
export const JOIN_TEXTS = [
  '',
  'a',
  'b',
  'x',
  'y',
  'm',
  '@',
  'x.io',
  'ann@x.io',
  'bob@y.io',
  'cy@x.io',
  'eve@x.io',
  'bob',
  'eve',
  'Ann',
  'Bob',
  'Cy',
  'Eve',
  'alpha',
  'bravo',
  'secret',
  'xray',
  'echo',
  'hi',
  'red',
  'blue',
  'gray',
  'public',
  'private',
  'u_a',
  'u_b',
  'u_c',
  'n3',
  'g2',
  't_red',
];

/** Field paths per base collection: plain fields, relations, multiple relations, back-relations, emails. */
export const JOIN_FIELDS: Record<'users' | 'notes' | 'teams' | 'comments', string[]> = {
  users: [
    'id',
    'name',
    'email',
    'email:lower',
    'emailVisibility',
    'role',
    'team',
    'team.name',
    'team.open',
    'team.members.name',
    'team.members.email',
    'team.members:length',
    'friends',
    'friends:length',
    'friends:each',
    'friends.id',
    'friends.name',
    'friends.email',
    'friends.friends.email',
    'notes_via_owner.body',
    'notes_via_owner.score',
    'notes_via_owner.public',
    'notes_via_owner.tags.name',
    'notes_via_owner.tags:each',
    'notes_via_owner.comments_via_note.text',
    'comments_via_author.text',
    'comments_via_author.note.body',
    'teams_via_members.name',
    'teams_via_members.members.email',
    'users_via_friends.email',
    'users_via_friends.name',
    'team.members.notes_via_owner.body',
  ],
  notes: [
    'id',
    'body',
    'body:lower',
    'score',
    'public',
    'owner',
    'owner.name',
    'owner.email',
    'owner.role',
    'owner.team.name',
    'owner.friends.email',
    'owner.friends.name',
    'owner.notes_via_owner.body',
    'tags',
    'tags:each',
    'tags:length',
    'tags.name',
    'tags.private',
    'comments_via_note.text',
    'comments_via_note.author.email',
    'comments_via_note.author.name',
  ],
  teams: [
    'id',
    'name',
    'open',
    'members',
    'members:length',
    'members.name',
    'members.email',
    'members.email:lower',
    'members.notes_via_owner.body',
    'users_via_team.email',
    'users_via_team.name',
    'users_via_team.notes_via_owner.score',
  ],
  comments: [
    'id',
    'text',
    'note',
    'note.body',
    'note.owner.email',
    'note.owner.name',
    'note.tags.name',
    'author.email',
    'author.name',
    'author.team.name',
    'note.comments_via_note.text',
  ],
};

/** Sort fields per base collection, emails among them. */
export const JOIN_SORTS: Record<keyof typeof JOIN_FIELDS, string[]> = {
  users: ['email', 'name', 'team.name', 'friends.email', 'friends.name', 'notes_via_owner.body', 'team.members.email'],
  notes: ['body', 'score', 'owner.email', 'owner.name', 'tags.name', 'comments_via_note.text', 'owner.friends.email'],
  teams: ['name', 'members.email', 'members.name', 'users_via_team.email'],
  comments: ['text', 'note.body', 'author.email', 'note.owner.email'],
};

export type Viewer = 'u_a' | 'u_b' | 'u_d' | 'u_f' | 'guest';
/** The callers of the fuzz run: two private users, a public one, a guest. */
export const VIEWERS: Viewer[] = ['u_a', 'u_b', 'u_f', 'guest'];

export function requestOf(viewer: Viewer): RequestContext {
  const record = JOIN_ROWS.users?.find((r) => r.id === viewer);
  return {
    context: 'default',
    method: 'GET',
    headers: {},
    query: {},
    body: {},
    auth: record ? { collection: users, record } : null,
  };
}

const q = quoteIdent;

/** Creates the tables of `JOIN_COLLECTIONS` in `schema` and inserts `rows`. */
export async function createJoinSchema(client: pg.Client, schema: string, rows: Record<string, Row[]>): Promise<void> {
  await client.query(`CREATE SCHEMA ${q(schema)}`);
  for (const collection of JOIN_COLLECTIONS) {
    const table = `${q(schema)}.${q(collection.name)}`;
    const columns = collection.fields.map(
      (f) => `${q(f.name)} ${f.name === 'id' ? 'text PRIMARY KEY' : SQL_TYPE[storageKindOf(f)]}`,
    );
    await client.query(`CREATE TABLE ${table} (${columns.join(', ')})`);
    for (const row of rows[collection.name] ?? []) {
      const fields = collection.fields.filter((f) => f.name in row);
      await client.query(
        `INSERT INTO ${table} (${fields.map((f) => q(f.name)).join(', ')}) VALUES (${fields.map((_, i) => `$${i + 1}`).join(', ')})`,
        fields.map((f) => row[f.name]),
      );
    }
  }
}

/** A scratch database; `connect(schema)` opens a client that reads that schema's tables unqualified. */
export async function createScratchDatabase() {
  const database = await createEmptyTestDatabase();
  const clients: pg.Client[] = [];
  return {
    async connect(schema: string): Promise<pg.Client> {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      clients.push(client);
      await client.query(`SET search_path TO ${q(schema)}`);
      // tables this small never pay back JIT compilation (hundreds of ms for nested subqueries)
      await client.query('SET jit = off');
      return client;
    },
    async drop(): Promise<void> {
      for (const client of clients) await client.end();
      await database.drop();
    },
  };
}
