import http from 'node:http';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootedWithRoot, bootWithRoot, failure, SHAPE_NAMES } from './support/auth-fixture';
import { type RunningShape } from './support/boot-shape';

describe.each(SHAPE_NAMES)('records through the SDK (%s)', (shape) => {
  let booted: BootedWithRoot | undefined;
  let running: RunningShape;
  let root: PocketBase;
  let alice: PocketBase;
  let guest: PocketBase;
  let aliceId = '';

  beforeAll(async () => {
    booted = await bootWithRoot(shape);
    ({ running, root } = booted);
    guest = new PocketBase(running.baseUrl);

    const user = await guest.collection('users').create({
      email: 'alice@example.com',
      password: 'alice-password',
      passwordConfirm: 'alice-password',
    });
    aliceId = user.id;
    alice = new PocketBase(running.baseUrl);
    await alice.collection('users').authWithPassword('alice@example.com', 'alice-password');

    await root.collections.create({
      name: 'notes',
      listRule: "public = true || (@request.auth.id != '' && owner = @request.auth.id)",
      viewRule: "public = true || (@request.auth.id != '' && owner = @request.auth.id)",
      createRule: "@request.auth.id != '' && owner = @request.auth.id",
      updateRule: 'owner = @request.auth.id',
      deleteRule: 'owner = @request.auth.id',
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'rank', type: 'number' },
        { name: 'public', type: 'bool' },
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
        { name: 'labels', type: 'select', values: ['red', 'green', 'blue'], maxSelect: 3 },
        { name: 'internal', type: 'text', hidden: true },
        { name: 'created', type: 'autodate', onCreate: true },
      ],
    });
    for (let i = 1; i <= 45; i++) {
      await root.collection('notes').create({
        title: `note ${String(i).padStart(2, '0')}`,
        rank: i,
        public: i % 3 === 0,
        owner: i % 5 === 0 ? aliceId : '',
        labels: i % 2 === 0 ? ['red', 'blue'] : ['green'],
        internal: `secret ${i}`,
      });
    }
  }, 180_000);

  afterAll(() => booted?.stop());

  it('pages through a list as a superuser', async () => {
    const page = await root.collection('notes').getList(2, 20, { sort: 'rank' });
    expect(page).toMatchObject({ page: 2, perPage: 20, totalItems: 45, totalPages: 3 });
    expect(page.items[0].title).toBe('note 21');
    expect(page.items[0].internal).toBe('secret 21');
  });

  it('fetches everything with getFullList and one item with getFirstListItem', async () => {
    expect(await root.collection('notes').getFullList({ batch: 10 })).toHaveLength(45);
    const first = await root.collection('notes').getFirstListItem('rank > 40', { sort: '-rank' });
    expect(first.title).toBe('note 45');
  });

  it.each([
    ['rank = 7', 1],
    ['rank != 7', 44],
    ['rank > 40', 5],
    ['rank >= 40', 6],
    ['rank < 3', 2],
    ['rank <= 3', 3],
    ['title ~ "note 1"', 10],
    ['title !~ "note"', 0],
    ['labels:each ?= "red"', 22],
    ['labels:each ?!= "red"', 45],
    ['labels:each = "green"', 23],
    ['labels:length = 2', 22],
    ['labels:each ?~ "ree"', 23],
    ['labels:each ?!~ "e"', 0],
    ['rank ?> 44', 1],
    ['owner.email ?= "alice@example.com"', 9],
    ['(rank < 3 || rank > 43) && public = false', 3],
  ])('filters with %s', async (filter, count) => {
    const result = await root.collection('notes').getList(1, 50, { filter });
    expect(result.totalItems).toBe(count);
  });

  it('applies the list and view rules to a guest and an owner', async () => {
    const asGuest = await guest.collection('notes').getFullList();
    expect(asGuest.every((note) => note.public)).toBe(true);
    expect(asGuest).toHaveLength(15);
    expect(asGuest[0]).not.toHaveProperty('internal');
    const asAlice = await alice.collection('notes').getFullList();
    expect(asAlice).toHaveLength(15 + 9 - 3); // public, plus her own, minus both at once
    const hidden = (await root.collection('notes').getFirstListItem('rank = 1')).id;
    expect((await failure(guest.collection('notes').getOne(hidden))).status).toBe(404);
  });

  it('creates, updates and deletes through the rules', async () => {
    const note = await alice.collection('notes').create({ title: 'mine', owner: aliceId });
    expect(note).toMatchObject({ title: 'mine', owner: aliceId, collectionName: 'notes' });
    const updated = await alice.collection('notes').update(note.id, { rank: 99 });
    expect(updated.rank).toBe(99);
    expect((await failure(guest.collection('notes').update(note.id, { rank: 1 }))).status).toBe(404);
    await alice.collection('notes').delete(note.id);
    expect((await failure(root.collection('notes').getOne(note.id))).status).toBe(404);
  });

  it('adds 100 parallel increments exactly (views+ in SQL)', async () => {
    const note = await root.collection('notes').create({ title: 'counter', rank: 0 });
    await Promise.all(
      Array.from({ length: 100 }, () => root.collection('notes').update(note.id, { 'rank+': 1 }, { requestKey: null })),
    );
    expect((await root.collection('notes').getOne(note.id)).rank).toBe(100);
    await root.collection('notes').delete(note.id);
  });

  it('expands relations, nested and back-relations, and trims with fields and excerpt', async () => {
    await root
      .collection('users')
      .update(aliceId, { name: 'Alice <b>Liddell</b> of Wonderland', emailVisibility: true });
    const note = await root.collection('notes').getFirstListItem('rank = 5', {
      expand: 'owner,owner.notes_via_owner',
      fields: 'id,expand.owner.name:excerpt(5,true),expand.owner.expand.notes_via_owner.rank',
    });
    expect(note.id).toBeTruthy();
    const owner = note.expand?.owner as { name: string; expand: { notes_via_owner: { rank: number }[] } };
    expect(owner.name).toBe('Alice...');
    expect(owner.expand.notes_via_owner.map((item) => item.rank).sort((a, b) => a - b)).toEqual([
      5, 10, 15, 20, 25, 30, 35, 40, 45,
    ]);
    expect(Object.keys(note).sort()).toEqual(['expand', 'id']);
  });

  it('shows an auth record’s email only when visible, and hidden fields only to superusers', async () => {
    await root.collection('users').update(aliceId, { emailVisibility: false });
    const viaGuest = await guest.collection('notes').getFirstListItem('rank = 15', { expand: 'owner' });
    expect(viaGuest.expand?.owner).toBeUndefined(); // users' view rule hides alice from guests
    const asAlice = await alice.collection('users').getOne(aliceId);
    expect(asAlice.email).toBe('alice@example.com'); // the owner sees it
    expect(asAlice).not.toHaveProperty('password');
    const note = await alice.collection('notes').getFirstListItem('rank = 15');
    expect(note).not.toHaveProperty('internal');
  });

  it('runs a batch all together, or not at all', async () => {
    await root.settings.update({ batch: { enabled: true, maxRequests: 20, timeout: 5 } });
    const ok = root.createBatch();
    ok.collection('notes').create({ title: 'batch one' });
    ok.collection('notes').create({ title: 'batch two' });
    ok.collection('notes').upsert({ title: 'batch three' });
    const results = await ok.send();
    expect(results.map((result) => result.status)).toEqual([200, 200, 200]);

    const failing = root.createBatch();
    failing.collection('notes').create({ title: 'never stored' });
    failing.collection('notes').create({ rank: 1 }); // no title: required
    const error = await failure(failing.send());
    expect(error.status).toBe(400);
    expect(error.response.data).toMatchObject({ requests: { '1': { code: 'batch_request_failed' } } });
    expect((await root.collection('notes').getList(1, 1, { filter: 'title = "never stored"' })).totalItems).toBe(0);
    expect((await root.collection('notes').getList(1, 1, { filter: 'title ~ "batch "' })).totalItems).toBe(3);
  });

  it('reports validation errors with their codes', async () => {
    const error = await failure(root.collection('notes').create({ rank: 1, labels: ['purple'] }));
    expect(error.status).toBe(400);
    expect(error.response.data).toMatchObject({
      title: { code: 'validation_required' },
      labels: { code: 'validation_invalid_value' },
    });
  });

  it('refuses a null rule to everyone but superusers with 403', async () => {
    await root.collections.update('notes', { deleteRule: null });
    const note = await alice.collection('notes').create({ title: 'undeletable', owner: aliceId });
    expect((await failure(alice.collection('notes').delete(note.id))).status).toBe(403);
    await root.collection('notes').delete(note.id);
    await root.collections.update('notes', { deleteRule: 'owner = @request.auth.id' });
  });

  it('caps perPage, and refuses wrong types and oversize bodies in PocketBase shape', async () => {
    expect((await guest.collection('notes').getList(1, 5000)).perPage).toBe(1000);
    const wrongType = await failure(root.collection('notes').create({ title: { not: 'text' }, rank: 'many' }));
    expect(wrongType.status).toBe(400);
    // Declare a body over the 32 MiB limit and start sending it: the answer comes before the body.
    const huge = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(`${running.baseUrl}/api/collections/notes/records`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(33 * 1024 * 1024),
          authorization: root.authStore.token,
        },
      });
      request.on('response', (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on('error', reject);
      request.write('{"title":"');
    });
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body)).toMatchObject({ status: 413, data: {} });
  });

  it.each([
    ['an unknown collection', (pb: PocketBase) => pb.collection('nope').getList(), 404],
    ['a malformed filter', (pb: PocketBase) => pb.collection('notes').getList(1, 5, { filter: 'rank >' }), 400],
    ['a bad sort', (pb: PocketBase) => pb.collection('notes').getList(1, 5, { sort: 'nope' }), 400],
    ['a write to a guarded rule', (pb: PocketBase) => pb.collection('notes').create({ title: 'x' }), 400],
  ])('answers %s with a PocketBase-shaped error', async (_what, run, status) => {
    const error = await failure(run(guest));
    expect(error.status).toBe(status);
    expect(error.response).toMatchObject({ status, data: expect.any(Object), message: expect.any(String) });
  });
});
