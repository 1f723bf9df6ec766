import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootedWithRoot, bootWithRoot, failure, SHAPE_NAMES } from './support/auth-fixture';
import { type RunningShape } from './support/boot-shape';

// PocketBase v0.39.11's wire behaviour for records, auth records and lists, through the SDK
// (issue: PocketBase parity, items 8 and 10–17; security: modifier guards, hostile query input).

const PASSWORD = 'user-password-1';

/** The `data` codes of a failed request, by key. */
const codes = (error: ClientResponseError) =>
  Object.fromEntries(
    Object.entries(error.response.data ?? {}).map(([key, value]) => [key, (value as { code: string }).code]),
  );

describe.each(SHAPE_NAMES)('PocketBase record parity (%s)', (shape) => {
  let booted: BootedWithRoot | undefined;
  let running: RunningShape;
  let root: PocketBase;
  let guest: PocketBase;
  const users: Record<'ann' | 'ben', { pb: PocketBase; id: string; email: string }> = {
    ann: { pb: undefined as unknown as PocketBase, id: '', email: 'ann@example.com' },
    ben: { pb: undefined as unknown as PocketBase, id: '', email: 'ben@example.com' },
  };

  beforeAll(async () => {
    booted = await bootWithRoot(shape);
    ({ running, root } = booted);
    guest = new PocketBase(running.baseUrl);
    for (const user of Object.values(users)) {
      user.id = (
        await guest.collection('users').create({ email: user.email, password: PASSWORD, passwordConfirm: PASSWORD })
      ).id;
      user.pb = new PocketBase(running.baseUrl);
      await user.pb.collection('users').authWithPassword(user.email, PASSWORD);
    }
    await root.collections.create({
      name: 'items',
      listRule: '',
      viewRule: '',
      // Only a superuser may move an item to another owner; n may never become 7.
      createRule: "@request.auth.id != '' && @request.body.n != 7",
      updateRule: "@request.auth.id != '' && (@request.body.owner:isset = false || @request.body.owner = owner)",
      fields: [
        { name: 'title', type: 'text' },
        { name: 'n', type: 'number' },
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      ],
    });
    await root.settings.update({ batch: { enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 } });
  }, 180_000);

  afterAll(() => booted?.stop());

  it('8. reads perPage <= 0 as 30 and caps it at 1000', async () => {
    expect((await guest.collection('items').getList(1, -5)).perPage).toBe(30);
    expect((await guest.collection('items').getList(1, 0)).perPage).toBe(30);
    expect((await guest.collection('items').getList(1, 5000)).perPage).toBe(1000);
  });

  it('10. answers a valid expand with `expand: {}` even when the relation is empty', async () => {
    const item = await root.collection('items').create({ title: 'no owner' });
    const viewed = await guest.collection('items').getOne(item.id, { expand: 'owner' });
    expect(viewed.expand).toEqual({});
    const listed = await guest.collection('items').getList(1, 5, { expand: 'owner', filter: `id = "${item.id}"` });
    expect(listed.items[0]?.expand).toEqual({});
    // An unknown path expands nothing and adds nothing.
    expect(await guest.collection('items').getOne(item.id, { expand: 'nope' })).not.toHaveProperty('expand');
  });

  it.each([
    ['@request.auth.id != ""', undefined, 'Only superusers can filter by @request.'],
    ['@collection.items.title != ""', undefined, 'Only superusers can filter by @collection.'],
    ['title != ""', '@request.auth.id', 'Only superusers can filter by @request.'],
  ])('11. refuses a non-superuser filter %s / sort %s with 403 "%s"', async (filter, sort, message) => {
    for (const client of [guest, users.ann.pb]) {
      const error = await failure(client.collection('items').getList(1, 5, { filter, ...(sort ? { sort } : {}) }));
      expect(error.status).toBe(403);
      expect(error.message).toBe(message);
    }
  });

  it('12. requires passwordConfirm on create, and reports the form errors alone', async () => {
    const error = await failure(guest.collection('users').create({ email: 'not-an-email', password: PASSWORD }));
    expect(error.status).toBe(400);
    expect(codes(error)).toEqual({ passwordConfirm: 'validation_required' });
  });

  it('13. refuses `verified: true` on a create without manage access', async () => {
    const body = { email: 'self-verified@example.com', password: PASSWORD, passwordConfirm: PASSWORD, verified: true };
    const error = await failure(guest.collection('users').create(body));
    expect(codes(error)).toEqual({ verified: 'validation_values_mismatch' });
    // A superuser may.
    expect((await root.collection('users').create(body)).verified).toBe(true);
  });

  it('14. refreshes an impersonation token by answering it unchanged with the record', async () => {
    const impersonated = await root.collection('users').impersonate(users.ann.id, 600);
    const refreshed = await impersonated.collection('users').authRefresh();
    expect(refreshed.token).toBe(impersonated.authStore.token);
    expect(refreshed.record.id).toBe(users.ann.id);
  });

  it('15. needs oldPassword for a password change: missing is required, wrong is invalid', async () => {
    const change = { password: 'another-password-1', passwordConfirm: 'another-password-1' };
    const missing = await failure(users.ben.pb.collection('users').update(users.ben.id, change));
    expect(codes(missing)).toEqual({ oldPassword: 'validation_required' });
    const wrong = await failure(
      users.ben.pb.collection('users').update(users.ben.id, { ...change, oldPassword: 'not-it-at-all' }),
    );
    expect(codes(wrong)).toEqual({ oldPassword: 'validation_invalid_old_password' });
  });

  it('16. refuses a non-manager changing its own verified or email, instead of dropping it', async () => {
    const { ben } = users;
    const verified = await failure(ben.pb.collection('users').update(ben.id, { verified: true }));
    expect(codes(verified)).toEqual({ verified: 'validation_values_mismatch' });
    const email = await failure(ben.pb.collection('users').update(ben.id, { email: 'ben-new@example.com' }));
    expect(codes(email)).toEqual({ email: 'validation_values_mismatch' });
    const stored = await root.collection('users').getOne(ben.id);
    expect(stored).toMatchObject({ verified: false, email: ben.email });
  });

  it('17. lists in insertion order without a sort and supports @rowid and @random', async () => {
    // Ids in reverse alphabetical order, so neither id nor title order matches insertion order.
    const made = [];
    for (const [id, title] of [
      ['zzzzzzzzzzzzzz1', 'order b'],
      ['mmmmmmmmmmmmmm1', 'order c'],
      ['aaaaaaaaaaaaaa1', 'order a'],
    ]) {
      made.push((await root.collection('items').create({ id, title })).title);
    }
    const filter = 'title ~ "order "';
    const plain = await guest.collection('items').getFullList({ filter });
    expect(plain.map((item) => item.title)).toEqual(made);
    const newestFirst = await guest.collection('items').getFullList({ filter, sort: '-@rowid' });
    expect(newestFirst.map((item) => item.title)).toEqual([...made].reverse());
    const shuffled = await guest.collection('items').getFullList({ filter, sort: '@random' });
    expect(shuffled.map((item) => item.title).sort()).toEqual([...made].sort());
  });

  describe('rules judge modifier keys by their result', () => {
    let itemId = '';
    beforeAll(async () => {
      itemId = (await root.collection('items').create({ title: 'owned', n: 1, owner: users.ben.id })).id;
    });

    it.each([
      ['owner', () => users.ann.id],
      ['owner+', () => users.ann.id],
      ['owner-', () => users.ben.id],
    ])('refuses moving the owner with `%s` (404), also in a batch', async (key, value) => {
      const error = await failure(users.ann.pb.collection('items').update(itemId, { [key]: value() }));
      expect(error.status).toBe(404);
      const batch = users.ann.pb.createBatch();
      batch.collection('items').update(itemId, { [key]: value() });
      expect((await failure(batch.send())).status).toBe(400);
      expect((await root.collection('items').getOne(itemId)).owner).toBe(users.ben.id);
    });

    it.each([[{ n: 7 }], [{ 'n+': 7 }], [{ n: 3, 'n+': 4 }]])('refuses a create that makes n = 7: %j', async (body) => {
      expect((await failure(users.ann.pb.collection('items').create({ title: 'seven', ...body }))).status).toBe(400);
      const batch = users.ann.pb.createBatch();
      batch.collection('items').upsert({ title: 'seven', ...body });
      expect((await failure(batch.send())).status).toBe(400);
      expect(await root.collection('items').getFullList({ filter: 'n = 7' })).toEqual([]);
    });
  });

  describe('hostile query input answers in PocketBase shape, never 500', () => {
    const raw = (path: string, init?: RequestInit) => fetch(`${running.baseUrl}${path}`, init);

    it('reads a repeated filter/sort/expand as its first value, also on a write', async () => {
      const listed = await raw('/api/collections/items/records?filter=n%3D1&filter=(&sort=title&sort=nope');
      expect(listed.status).toBe(200);
      const created = await raw('/api/collections/items/records?expand=owner&expand=owner', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: users.ann.pb.authStore.token },
        body: JSON.stringify({ title: 'repeated expand', owner: users.ann.id }),
      });
      expect(created.status).toBe(200);
      const record = (await created.json()) as { expand: { owner: { id: string } } };
      expect(record.expand.owner.id).toBe(users.ann.id);
    });

    it.each([
      ['/api/collections/items/records/%00', 404],
      ['/api/collections/items/records?page=99999999999999999999999', 400],
      ['/api/collections/items/records?perPage=abc', 400],
      ['/api/collections/items/records?skipTotal=maybe', 400],
    ])('%s → %i', async (path, status) => {
      const response = await raw(path);
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ status, data: {}, message: expect.any(String) });
    });

    it('sends Cross-Origin-Opener-Policy: same-origin (PocketBase v0.40)', async () => {
      for (const path of ['/api/health', '/api/collections/items/records', '/api/nope']) {
        expect((await raw(path)).headers.get('cross-origin-opener-policy')).toBe('same-origin');
      }
    });
  });
});
