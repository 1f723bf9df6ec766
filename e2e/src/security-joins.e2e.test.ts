import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootedWithRoot, bootWithRoot, SHAPE_NAMES } from './support/auth-fixture';
import { type RunningShape } from './support/boot-shape';

// Hivebase issue 11 (items 1 and 4) through the SDK: an ordinary user filtering or sorting through
// joined collections learns nothing that their list rules hide, nor any email that is not visible.

describe.each(SHAPE_NAMES)('filters through joins (%s)', (shape) => {
  let booted: BootedWithRoot | undefined;
  let running: RunningShape;
  let root: PocketBase;
  let alice: PocketBase;
  const ids = { alice: '', bob: '', carol: '', project: '', aliceNote: '' };

  const listIds = async (client: PocketBase, collection: string, options: { filter?: string; sort?: string }) =>
    (await client.collection(collection).getFullList(options)).map((record) => record.id);

  beforeAll(async () => {
    booted = await bootWithRoot(shape);
    ({ running, root } = booted);
    const guest = new PocketBase(running.baseUrl);

    // signed-in users list each other; the rule reads @request, like most real ones
    await root.collections.update('users', { listRule: '@request.auth.id != ""' });
    for (const [key, name, emailVisibility] of [
      ['alice', 'Alice', true],
      ['bob', 'Bob', false],
      ['carol', 'Carol', true],
    ] as const) {
      const password = `${key}-password`;
      const user = await guest.collection('users').create({
        email: `${key}@example.com`,
        emailVisibility,
        name,
        password,
        passwordConfirm: password,
      });
      ids[key] = user.id;
    }
    alice = new PocketBase(running.baseUrl);
    await alice.collection('users').authWithPassword('alice@example.com', 'alice-password');

    const users = await root.collections.getOne('users');
    const projects = await root.collections.create({
      name: 'projects',
      listRule: '',
      viewRule: '',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'contacts', type: 'relation', collectionId: users.id, maxSelect: 5 },
      ],
    });
    await root.collections.create({
      name: 'notes',
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id',
      fields: [
        { name: 'body', type: 'text' },
        { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1 },
        { name: 'project', type: 'relation', collectionId: projects.id, maxSelect: 1 },
      ],
    });
    const project = await root.collection('projects').create({ title: 'shared', contacts: [ids.carol, ids.bob] });
    ids.project = project.id;
    const note = await root.collection('notes').create({ body: 'alpha', owner: ids.alice, project: project.id });
    ids.aliceNote = note.id;
    await root.collection('notes').create({ body: 'zebra secret', owner: ids.bob, project: project.id });
  });

  afterAll(() => booted?.stop());

  it("finds no trace of Bob's note through a back-relation", async () => {
    for (const [collection, filter] of [
      ['projects', 'notes_via_project.body ?~ "secret"'],
      ['users', 'notes_via_owner.body ?~ "zebra"'],
      ['users', 'notes_via_owner.body ?> "z"'],
    ] as const) {
      expect(await listIds(alice, collection, { filter })).toEqual([]);
      expect(await listIds(root, collection, { filter })).toHaveLength(1);
    }
  });

  it('does not count a hidden note in "every item"', async () => {
    // Alice's "alpha" < "b"; Bob's "zebra secret" is not, and is not Alice's to see
    expect(await listIds(alice, 'projects', { filter: 'notes_via_project.body < "b"' })).toEqual([ids.project]);
    expect(await listIds(root, 'projects', { filter: 'notes_via_project.body < "b"' })).toEqual([]);
  });

  it('filters through a relation into a collection whose list rule reads @request', async () => {
    expect(await listIds(alice, 'notes', { filter: 'owner.name = "Alice"' })).toEqual([ids.aliceNote]);
    expect(await listIds(alice, 'projects', { filter: 'contacts.name ?= "Carol"' })).toEqual([ids.project]);
  });

  it('never orders by, nor matches, an email that is not visible', async () => {
    expect(await listIds(alice, 'users', { sort: 'email' })).toEqual([ids.alice, ids.carol, ids.bob]);
    expect(await listIds(alice, 'users', { sort: '-email' })).toEqual([ids.bob, ids.carol, ids.alice]);
    expect(await listIds(alice, 'users', { filter: 'email ~ "bob"' })).toEqual([]);
    expect(await listIds(alice, 'users', { filter: 'email ~ "carol"' })).toEqual([ids.carol]);
    // contacts: Carol (visible) and Bob (hidden): "every item" cannot tell where Bob's email sorts
    for (const filter of ['contacts.email > "b"', 'contacts.email > "bz"', 'contacts.email ?~ "bob"']) {
      expect(await listIds(alice, 'projects', { filter })).toEqual([]);
    }
    expect(await listIds(root, 'projects', { filter: 'contacts.email > "b"' })).toEqual([ids.project]);
  });
});
