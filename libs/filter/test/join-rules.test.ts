import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompileOptions, compileFilter, compileSort, FilterForbiddenFieldError } from '../src';
import {
  createJoinSchema,
  createScratchDatabase,
  JOIN_ROWS,
  joinLookup,
  requestOf,
  type Viewer,
} from './support/join-fixtures';

// An attacker's view of filters through joined collections: what a non-superuser may list of the
// joined collection is all a filter or sort can tell apart (list rules in the join, hidden emails).
// Who sees what (join-fixtures): users are listed when public or oneself (Bob and Eve are
// private); notes when own or public; Cy's email and Bob's and Eve's are not visible.

let db: Awaited<ReturnType<typeof createScratchDatabase>>;
let client: pg.Client;
beforeAll(async () => {
  db = await createScratchDatabase();
  client = await db.connect('full');
  await createJoinSchema(client, 'full', JOIN_ROWS);
});
afterAll(async () => {
  await db?.drop();
});

const asUser = (collection: string, viewer: Viewer): CompileOptions => ({
  lookup: joinLookup,
  collection,
  request: requestOf(viewer),
  allowHiddenFields: false,
  allowRequestAndCollectionRefs: false,
});

async function matching(collection: string, filter: string, options: CompileOptions): Promise<string[]> {
  const { sql, params } = compileFilter(filter, options);
  const { rows } = await client.query<{ id: string }>(
    `SELECT "id" FROM "${collection}" WHERE ${sql} ORDER BY 1`,
    params,
  );
  return rows.map((r) => r.id);
}

interface Case {
  why: string;
  viewer: Viewer;
  collection: string;
  filter: string;
  /** What the viewer gets (before its own list rule on the base collection). */
  ids: string[];
  /** What a superuser gets: shows the hidden data is there to be leaked. */
  superuser?: string[];
}

const CASES: Case[] = [
  {
    why: "Cy's private note does not match through the back-relation",
    viewer: 'u_a',
    collection: 'users',
    filter: 'notes_via_owner.body ?~ "xray"',
    ids: [],
    superuser: ['u_c'],
  },
  {
    why: 'character-by-character probing of a hidden note finds nothing',
    viewer: 'u_a',
    collection: 'users',
    filter: 'notes_via_owner.body ?> "x" && notes_via_owner.body ?< "y"',
    ids: [],
    superuser: ['u_c'],
  },
  {
    why: 'B cannot read A’s private note either',
    viewer: 'u_b',
    collection: 'users',
    filter: 'notes_via_owner.body ?~ "alpha"',
    ids: ['u_b'],
    superuser: ['u_a', 'u_b'],
  },
  {
    why: 'a hidden note does not count as an item of "every item"',
    viewer: 'u_a',
    collection: 'users',
    filter: 'notes_via_owner.body = "charlie"',
    ids: ['u_c'],
    superuser: [],
  },
  {
    why: 'a hidden note does not make "every item" fail (:each over a hidden note’s tags)',
    viewer: 'u_f',
    collection: 'users',
    filter: 'notes_via_owner.tags:each != "g2"',
    // Ann's n1 (tagged g2) and Bob's n3 are private: to Fay they are not there
    ids: ['u_a', 'u_b', 'u_c', 'u_d', 'u_e', 'u_f'],
    superuser: ['u_c', 'u_d', 'u_e', 'u_f'],
  },
  {
    why: 'only hidden notes: like no notes at all',
    viewer: 'u_f',
    collection: 'users',
    filter: 'notes_via_owner.body = ""',
    ids: ['u_b', 'u_d', 'u_e'],
    superuser: ['u_d'],
  },
  {
    why: 'a relation into users, whose list rule reads @request.auth.id, resolves',
    viewer: 'u_a',
    collection: 'notes',
    filter: 'owner.name = "Cy" || owner.name = "Bob"',
    ids: ['n5', 'n6'],
    superuser: ['n3', 'n4', 'n5', 'n6'],
  },
  {
    why: 'a hidden author reads as no author',
    viewer: 'u_a',
    collection: 'comments',
    filter: 'author.name = "Bob"',
    ids: [],
    superuser: ['c1', 'c3'],
  },
  {
    why: 'a joined collection whose rule joins itself (comments: note.owner) applies it',
    viewer: 'u_a',
    collection: 'notes',
    filter: 'comments_via_note.text ?~ "bravo"',
    ids: [],
    superuser: ['n3'],
  },
  {
    why: 'multiple relation to a hidden record',
    viewer: 'u_a',
    collection: 'users',
    filter: 'friends.name ?= "Bob"',
    ids: [],
    superuser: ['u_a', 'u_f'],
  },
  {
    why: 'hidden emails never match',
    viewer: 'u_a',
    collection: 'users',
    filter: 'email ~ "cy" || email ~ "dee"',
    ids: ['u_d'],
    superuser: ['u_c', 'u_d'],
  },
  {
    why: 'hidden emails of related records never match',
    viewer: 'u_a',
    collection: 'notes',
    filter: 'owner.email ~ "@x.io"',
    // Cy's email is hidden (n5, n6), Eve is a private user (n7)
    ids: ['n1', 'n2'],
    superuser: ['n1', 'n2', 'n5', 'n6', 'n7'],
  },
  // Gray's members: Fay (visible email) and Cy (hidden email cy@x.io); either literal below
  // gives the same answer, so "every item" cannot tell where Cy's email sorts
  {
    why: 'a hidden email fails "every item" whatever it is (1)',
    viewer: 'u_f',
    collection: 'teams',
    filter: 'members.email > "b"',
    ids: [],
    superuser: ['t_blue', 't_gray'],
  },
  {
    why: 'a hidden email fails "every item" whatever it is (2)',
    viewer: 'u_f',
    collection: 'teams',
    filter: 'members.email > "d"',
    ids: [],
    superuser: [],
  },
  {
    why: 'back-relation emails',
    viewer: 'u_f',
    collection: 'teams',
    filter: 'users_via_team.email ?~ "cy"',
    ids: [],
    superuser: ['t_blue'],
  },
  {
    why: 'a hidden email is NULL as a function argument',
    viewer: 'u_a',
    collection: 'users',
    // a non-numeric text reads as 0 here (SQLite's rule), NULL makes the distance NULL
    filter: 'geoDistance(email, 0, 0, 0) < 1',
    ids: ['u_a', 'u_d', 'u_f'],
    superuser: ['u_a', 'u_b', 'u_c', 'u_d', 'u_e', 'u_f'],
  },
];

describe('filters through joined collections (non-superuser)', () => {
  it.each(CASES)('$why: $collection?filter=$filter as $viewer', async (c) => {
    expect(await matching(c.collection, c.filter, asUser(c.collection, c.viewer))).toEqual(c.ids);
    if (c.superuser) {
      const superuser = { ...asUser(c.collection, c.viewer), allowHiddenFields: true };
      expect(await matching(c.collection, c.filter, superuser)).toEqual(c.superuser);
    }
  });

  it('refuses a join into a collection with a locked (null) list rule, as PocketBase', () => {
    expect(() => compileFilter('secrets_via_owner.code = "zzz"', asUser('users', 'u_a'))).toThrow(
      FilterForbiddenFieldError,
    );
    expect(() => compileSort('secrets_via_owner.code', asUser('users', 'u_a'))).toThrow();
  });

  it('guests: a rule reading @request.auth.* sees no auth record', async () => {
    // notes of public users only; Ann's notes are listed to guests only where public
    expect(await matching('users', 'notes_via_owner.body ?~ "a"', asUser('users', 'guest'))).toEqual(['u_a', 'u_c']);
  });
});

describe('sort through joined collections (non-superuser)', () => {
  async function order(collection: string, sort: string, viewer: Viewer, visible: string[]): Promise<string[]> {
    const compiled = compileSort(sort, { ...asUser(collection, viewer), paramOffset: 1 });
    const { rows } = await client.query<{ id: string }>(
      `SELECT "id" FROM "${collection}" WHERE "id" = ANY($1::text[]) ORDER BY ${compiled.sql}, "id"`,
      [visible, ...compiled.params],
    );
    return rows.map((r) => r.id);
  }
  const usersOfA = ['u_a', 'u_c', 'u_d', 'u_f'];

  it('sorts a hidden email as NULL, not among the others', async () => {
    expect(await order('users', 'email', 'u_a', usersOfA)).toEqual(['u_a', 'u_d', 'u_f', 'u_c']);
    expect(await order('users', '-email', 'u_a', usersOfA)).toEqual(['u_c', 'u_f', 'u_d', 'u_a']);
  });

  it('sorts by related emails and values only as far as they are visible', async () => {
    // notes listed to Ann: hers, and the public ones of Cy (hidden email), nobody and Fay
    expect(await order('notes', 'owner.email', 'u_a', ['n1', 'n2', 'n5', 'n8', 'n9'])).toEqual([
      'n1',
      'n2',
      'n9',
      'n5',
      'n8',
    ]);
    // to Dee, Ann is a private user: her note n2 has no owner to sort by
    expect(await order('notes', 'owner.email', 'u_d', ['n2', 'n5', 'n8', 'n9'])).toEqual(['n9', 'n2', 'n5', 'n8']);
    // Ann's friends are Bob (hidden record) and Cy (hidden email): nothing to sort by
    expect(await order('users', 'friends.name,id', 'u_a', usersOfA)).toEqual(['u_a', 'u_c', 'u_d', 'u_f']);
    // by the greatest visible note body (Cy: charlie, not the hidden xray); Dee has none (NULL first)
    expect(await order('users', '-notes_via_owner.body', 'u_a', usersOfA)).toEqual(['u_d', 'u_f', 'u_c', 'u_a']);
  });
});
