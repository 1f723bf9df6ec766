import { EventSource } from 'eventsource';
import type PocketBase from 'pocketbase';
import type { RecordSubscription } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AuthFixture, SHAPE_NAMES, SUPERUSER, startAuthFixture } from './support/auth-fixture';

// The SDK's realtime client needs a global EventSource, which Node lacks.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const ARRIVAL = { timeout: 10_000, interval: 50 };
type Event = RecordSubscription<Record<string, unknown>>;

/** Events one subscription received, in order. */
class Inbox {
  readonly events: Event[] = [];
  readonly push = (event: Event) => {
    this.events.push(event);
  };
  get summary() {
    return this.events.map((event) => `${event.action}:${String(event.record.title ?? event.record.id)}`);
  }
  async waitFor(summary: string): Promise<Event> {
    return vi.waitFor(() => {
      const found = this.events.find((_, index) => this.summary[index] === summary);
      if (!found) throw new Error(`no ${summary} yet; got ${this.summary.join(', ')}`);
      return found;
    }, ARRIVAL);
  }
}

describe.each(SHAPE_NAMES)('realtime through the SDK (%s)', (shape) => {
  let fixture: AuthFixture;
  let root: PocketBase;
  let usersId: string;
  const clients: PocketBase[] = [];

  const client = () => {
    const pb = fixture.client();
    clients.push(pb);
    return pb;
  };

  async function signedInUser(email: string): Promise<PocketBase> {
    const password = 'user-password-1';
    await root.collection('users').create({ email, password, passwordConfirm: password, name: email.split('@')[0] });
    const pb = client();
    await pb.collection('users').authWithPassword(email, password);
    return pb;
  }

  beforeAll(async () => {
    fixture = await startAuthFixture(shape);
    root = fixture.root;
    usersId = (await root.collections.getOne('users')).id;
    await root.collections.create({
      name: 'posts',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: '',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'secret', type: 'text', hidden: true },
        { name: 'author', type: 'relation', collectionId: usersId, maxSelect: 1 },
      ],
    });
    await root.collections.create({
      name: 'notes',
      type: 'base',
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'relation', collectionId: usersId, maxSelect: 1 },
      ],
    });
    await root.collections.create({
      name: 'locked',
      type: 'base',
      listRule: null,
      viewRule: null,
      fields: [{ name: 'title', type: 'text' }],
    });
  }, 180_000);

  afterAll(async () => {
    for (const pb of clients) await pb.realtime.unsubscribe().catch(() => undefined);
    await fixture?.stop();
  });

  it('connects with PB_CONNECT and delivers create, update and delete on coll/* and coll/ID', async () => {
    const guest = client();
    const all = new Inbox();
    await guest.collection('posts').subscribe('*', all.push);
    expect(guest.realtime.clientId).toMatch(/^[A-Za-z0-9]{40}$/);

    const created = await root.collection('posts').create({ title: 'first', secret: 's3cret' });
    await all.waitFor('create:first');
    const one = new Inbox();
    await guest.collection('posts').subscribe(created.id, one.push);
    expect(all.events[0]?.record).toMatchObject({ id: created.id, collectionName: 'posts', title: 'first' });
    expect(all.events[0]?.record).not.toHaveProperty('secret');

    await root.collection('posts').update(created.id, { title: 'first again' });
    await root.collection('posts').create({ title: 'second' });
    await root.collection('posts').delete(created.id);
    await all.waitFor('delete:first again');
    expect(all.summary).toEqual(['create:first', 'update:first again', 'create:second', 'delete:first again']);
    expect(one.summary).toEqual(['update:first again', 'delete:first again']);
  });

  it('keeps the other topics when one is unsubscribed', async () => {
    const guest = client();
    const kept = new Inbox();
    const dropped = new Inbox();
    await guest.collection('posts').subscribe('*', kept.push);
    const unsubscribe = await guest.collection('notes').subscribe('*', dropped.push);
    await unsubscribe();
    await root.collection('posts').create({ title: 'after unsubscribe' });
    await kept.waitFor('create:after unsubscribe');
    expect(dropped.events).toEqual([]);
  });

  it('never sends a guest what the list rule hides, and sends the owner their own', async () => {
    const alice = await signedInUser('alice@example.com');
    const guest = client();
    const aliceInbox = new Inbox();
    const guestNotes = new Inbox();
    const guestPosts = new Inbox();
    await alice.collection('notes').subscribe('*', aliceInbox.push);
    await guest.collection('notes').subscribe('*', guestNotes.push);
    await guest.collection('posts').subscribe('*', guestPosts.push);
    const aliceId = alice.authStore.record?.id;
    await root.collection('notes').create({ title: 'for alice', owner: aliceId });
    const frank = await root.collection('users').create({
      email: 'frank@example.com',
      password: 'user-password-1',
      passwordConfirm: 'user-password-1',
    });
    await root.collection('notes').create({ title: 'for frank', owner: frank.id });
    // Published after the notes: once it arrives, they would have too.
    await root.collection('posts').create({ title: 'marker' });
    await guestPosts.waitFor('create:marker');
    await aliceInbox.waitFor('create:for alice');
    expect(guestNotes.events).toEqual([]);
    expect(aliceInbox.summary).toEqual(['create:for alice']);
  });

  it('sends records of a collection with null rules to superusers only', async () => {
    const bob = await signedInUser('bob@example.com');
    const superuser = client();
    await superuser.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    const bobLocked = new Inbox();
    const bobPosts = new Inbox();
    const rootLocked = new Inbox();
    await bob.collection('locked').subscribe('*', bobLocked.push);
    await bob.collection('posts').subscribe('*', bobPosts.push);
    await superuser.collection('locked').subscribe('*', rootLocked.push);
    await root.collection('locked').create({ title: 'classified' });
    await root.collection('posts').create({ title: 'after classified' });
    await rootLocked.waitFor('create:classified');
    await bobPosts.waitFor('create:after classified');
    expect(bobLocked.events).toEqual([]);
  });

  it('applies the options filter, expand and fields of a subscription', async () => {
    const carol = await signedInUser('carol@example.com');
    const carolId = carol.authStore.record?.id;
    const guest = client();
    const filtered = new Inbox();
    const shaped = new Inbox();
    await guest.collection('posts').subscribe('*', filtered.push, { filter: 'title ~ "keep"' });
    // Carol may view her own user record, so the expand shows it (a guest would get expand: {}).
    await carol
      .collection('posts')
      .subscribe('*', shaped.push, { expand: 'author', fields: 'id,title,expand.author.name' });
    await root.collection('posts').create({ title: 'drop me' });
    await root.collection('posts').create({ title: 'keep me', author: carolId });
    await filtered.waitFor('create:keep me');
    expect(filtered.summary).toEqual(['create:keep me']);
    const withAuthor = await shaped.waitFor('create:keep me');
    expect(withAuthor.record).toEqual({
      id: expect.any(String),
      title: 'keep me',
      expand: { author: { name: 'carol' } },
    });
  });

  it('refuses another auth for a client already bound to one (403)', async () => {
    const dave = await signedInUser('dave@example.com');
    await dave.collection('posts').subscribe('*', () => {});
    const clientId = dave.realtime.clientId;
    const response = await fetch(`${fixture.running.baseUrl}/api/realtime`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: root.authStore.token },
      body: JSON.stringify({ clientId, subscriptions: ['posts/*'] }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      data: {},
      message: "The current and the previous request authorization don't match.",
      status: 403,
    });
    // A guest request on that client is a different auth too.
    const asGuest = await fetch(`${fixture.running.baseUrl}/api/realtime`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId, subscriptions: [] }),
    });
    expect(asGuest.status).toBe(403);
  });

  it('drops the auth of live connections at once when the password changes', async () => {
    const erin = await signedInUser('erin@example.com');
    const erinId = erin.authStore.record?.id as string;
    const notes = new Inbox();
    const posts = new Inbox();
    await erin.collection('notes').subscribe('*', notes.push);
    await erin.collection('posts').subscribe('*', posts.push);
    await root.collection('notes').create({ title: 'before', owner: erinId });
    await notes.waitFor('create:before');
    await root
      .collection('users')
      .update(erinId, { password: 'another-password-2', passwordConfirm: 'another-password-2' });
    await root.collection('notes').create({ title: 'after', owner: erinId });
    await root.collection('posts').create({ title: 'marker after password' });
    await posts.waitFor('create:marker after password');
    expect(notes.summary).toEqual(['create:before']);
  });

  it('delivers /api/oauth2-redirect to the @oauth2 subscriber whose id is the state, once', async () => {
    const popup = client();
    const messages: Record<string, unknown>[] = [];
    await popup.realtime.subscribe('@oauth2', (data) => messages.push(data));
    const state = popup.realtime.clientId;
    const redirect = (query: string) =>
      fetch(`${fixture.running.baseUrl}/api/oauth2-redirect?${query}`, { redirect: 'manual' });
    expect((await redirect(`state=${state}&code=the-code`)).status).toBe(307);
    await vi.waitFor(() => expect(messages).toEqual([{ state, code: 'the-code' }]), ARRIVAL);
    // The subscription is gone after one message, as in PocketBase.
    await redirect(`state=${state}&code=again`);
    await redirect(`state=someone-else&code=x`);
    const marker = new Inbox();
    await popup.collection('posts').subscribe('*', marker.push);
    await root.collection('posts').create({ title: 'after oauth2' });
    await marker.waitFor('create:after oauth2');
    expect(messages).toHaveLength(1);
  });

  it('answers hostile subscribe requests with PocketBase-shaped 4xx', async () => {
    const guest = client();
    await guest.collection('posts').subscribe('*', () => {});
    const clientId = guest.realtime.clientId;
    const post = (body: string, contentType = 'application/json') =>
      fetch(`${fixture.running.baseUrl}/api/realtime`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
    const cases: [string, string, number, Record<string, unknown>][] = [
      ['malformed JSON', '{"clientId":', 400, {}],
      ['a JSON list', '[]', 400, {}],
      ['a clientId of the wrong type', JSON.stringify({ clientId: 5 }), 400, {}],
      ['topics of the wrong type', JSON.stringify({ clientId, subscriptions: 'posts/*' }), 400, {}],
      ['no clientId', JSON.stringify({ subscriptions: [] }), 400, { clientId: { code: 'validation_required' } }],
      [
        'an over-long clientId',
        JSON.stringify({ clientId: 'x'.repeat(256) }),
        400,
        { clientId: { code: 'validation_length_out_of_range' } },
      ],
      [
        'too many topics',
        JSON.stringify({ clientId, subscriptions: Array.from({ length: 1001 }, (_, i) => `posts/${i}`) }),
        400,
        { subscriptions: { code: 'validation_length_too_long' } },
      ],
      [
        'an over-long topic',
        JSON.stringify({ clientId, subscriptions: ['posts/*', `posts/${'x'.repeat(2500)}`] }),
        400,
        { subscriptions: { 1: { code: 'validation_length_too_long' } } },
      ],
      ["a stranger's clientId", JSON.stringify({ clientId: 'not-a-client', subscriptions: [] }), 404, {}],
    ];
    for (const [name, body, status, data] of cases) {
      const response = await post(body);
      expect(response.status, name).toBe(status);
      const json = await response.json();
      expect(json, name).toMatchObject({ status, message: expect.any(String), data });
    }
    // Broken options are ignored, as PocketBase ignores them: the topic still works without them.
    const broken = await post(
      JSON.stringify({ clientId, subscriptions: ['posts/*?options={broken', 'posts/*?options=%5B%5D'] }),
    );
    expect(broken.status).toBe(204);
  });
});
