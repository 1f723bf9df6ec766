import type PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, SHAPE_NAMES } from '../support/auth-fixture';
import {
  type ApiAnswer,
  expectApiError,
  rawRequest,
  SECRET_WORDS,
  type SecurityFixture,
  startSecurityFixture,
} from '../support/security-fixture';

// SECURITY-CHECKLIST items 1–8: filters, injection, oracles. Expectations are PocketBase v0.39.11's
// (apis/record_crud.go recordsList, tools/search/provider.go, core/record_field_resolver*.go).

interface ListAnswer {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: Record<string, unknown>[];
}

describe.each(SHAPE_NAMES)('adversarial filters, sort and expand (%s)', (shape) => {
  let fixture: SecurityFixture;
  let guest: PocketBase;
  const hiddenEmailIds = ['hidemail0000001', 'hidemail0000002', 'hidemail0000003'];

  beforeAll(async () => {
    fixture = await startSecurityFixture(shape);
    guest = fixture.client();
    // Hidden emails whose alphabetical order is the reverse of their ids' order.
    for (const [index, id] of hiddenEmailIds.entries()) {
      await fixture.root.collection('users').create({
        id,
        email: `${'cba'[index]}-hidden@example.com`,
        password: 'hidden-password-1',
        passwordConfirm: 'hidden-password-1',
        emailVisibility: false,
      });
    }
    await fixture.root.collection('notes').create({
      title: `O'Reilly "quoted" -- ; DROP TABLE notes; ’smart’ %_`,
      owner: fixture.a.id,
    });
    // A collection nobody but superusers may list, related to users.
    const locked = await fixture.root.collections.getOne('locked');
    await fixture.root.collections.update('locked', {
      fields: [...locked.fields, { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 }],
    });
    await fixture.root.collection('locked').create({ title: 'locked of alice', owner: fixture.a.id });
  }, 240_000);
  afterAll(async () => {
    await fixture?.stop();
  });

  const list = (path: string, token?: string) => fixture.api(`/api/collections/${path}`, { token });
  const items = (answer: ApiAnswer) => (answer.json as ListAnswer).items;
  const q = encodeURIComponent;

  describe('1. SQL-ish payloads in filter values are bound as values', () => {
    it.each([
      ["x' OR '1'='1"],
      ['x" OR "1"="1'],
      ["'; DELETE FROM notes; --"],
      ['‘ OR ’1’=’1'],
      ['%'],
      ['_'],
      ['\u0000'],
      ['a\u0000b'],
      ['\ud800'],
    ])('title = %j matches nothing and answers 200', async (payload) => {
      const answer = await list(
        `notes/records?filter=${q(`title = ${JSON.stringify(payload)}`)}`,
        fixture.a.pb.authStore.token,
      );
      expect(answer.status).toBe(200);
      expect(items(answer)).toEqual([]);
    });

    it('finds a record whose text is made of SQL syntax, exactly', async () => {
      // no backslash: the SDK's filter() doubles it and fexpr keeps both, so PocketBase could not match it either
      const title = `O'Reilly "quoted" -- ; DROP TABLE notes; ’smart’ %_`;
      // stored as sent (the control for the filter below)
      const stored = await fixture.root.collection('notes').getFirstListItem('title ~ "Reilly"');
      expect(stored.title).toBe(title);
      const found = await fixture.a.pb.collection('notes').getList(1, 10, {
        filter: fixture.a.pb.filter('title = {:title}', { title }),
      });
      expect(found.items.map((note) => note.title)).toEqual([title]);
      // without a `%` of its own, a `~` value is a substring: its `_` is no wildcard (PocketBase escapes it)
      const like = await fixture.a.pb.collection('notes').getList(1, 10, { filter: 'title ~ "_"' });
      expect(like.items.map((note) => note.title)).toEqual([title]);
      expect((await fixture.root.collection('notes').getList(1, 1)).totalItems).toBe(5);
    });
  });

  describe('2. injection in identifiers', () => {
    it.each([
      ['-created;DELETE FROM notes'],
      ['created DESC'],
      ['(SELECT 1)'],
      ['title,"owner"'],
      ['title--'],
      ['@rowid;'],
    ])('sort=%j is a 400', async (sort) => {
      expectApiError(await list(`notes/records?sort=${q(sort)}`, fixture.a.pb.authStore.token), 400);
    });

    it.each([
      ['expand', 'owner;DELETE FROM notes'],
      ['expand', 'owner) --'],
      ['expand', '../../_superusers'],
      ['fields', 'id;DROP TABLE notes'],
      ['fields', 'id,(select password from users)'],
      ['fields', 'id,title:excerpt(1);select'],
    ])('%s=%j never reaches SQL: no 500, nothing beyond the record', async (param, value) => {
      const answer = await list(
        `notes/records/${fixture.notes.aPrivate}?${param}=${q(value)}`,
        fixture.a.pb.authStore.token,
      );
      // PocketBase ignores what it cannot expand or pick (EnrichRecords logs and moves on)
      if (answer.status !== 200) expectApiError(answer, 400);
      expect(answer.text).not.toMatch(/password|tokenKey|secret/);
      expect((await fixture.root.collection('notes').getList(1, 1)).totalItems).toBe(5);
    });
  });

  describe('3. @collection and @request in a client filter or sort are for superusers only', () => {
    const cases: [string, string][] = [
      ['filter', "@collection.notes.body ~ 'bumblebee'"],
      ['filter', "@request.auth.id != ''"],
      ['filter', "id != '' || @collection.users.email ?= 'bob@example.com'"],
      ['sort', '@collection.notes.body'],
      ['sort', '@request.auth.id'],
    ];
    it.each(cases)('%s=%j is a 403 for a user and a guest', async (param, value) => {
      for (const token of [fixture.a.pb.authStore.token, undefined]) {
        const answer = await list(`notes/records?${param}=${q(value)}`, token);
        expectApiError(answer, 403);
        expect((answer.json as { message: string }).message).toMatch(
          /^Only superusers can filter by @(collection|request)\.$/,
        );
      }
    });

    it('refuses the URL-encoded forms too (the check runs on the decoded value)', async () => {
      for (const raw of ['%40collection.notes.body%20~%20%27bumblebee%27', '%40request.auth.id%21%3D%27%27']) {
        expectApiError(await list(`notes/records?filter=${raw}`, fixture.a.pb.authStore.token), 403);
        expectApiError(await list(`notes/records?sort=${raw.split('%20')[0]}`, fixture.a.pb.authStore.token), 403);
      }
    });

    it('refuses them on a single record view and in getFirstListItem', async () => {
      const error = await failure(fixture.a.pb.collection('notes').getFirstListItem("@request.auth.id != ''"));
      expect(error.status).toBe(403);
    });

    it('lets a superuser use them', async () => {
      const answer = await list(
        `notes/records?filter=${q("@collection.notes.body ~ 'bumblebee'")}`,
        fixture.root.authStore.token,
      );
      expect(answer.status).toBe(200);
    });

    it('does not check one repeated filter and run another', async () => {
      // PocketBase reads the first value of a repeated parameter, for the check and for the query.
      const answer = await list(
        `notes/records?filter=${q("id = ''")}&filter=${q("@collection.notes.body ~ 'bumblebee'")}`,
        fixture.a.pb.authStore.token,
      );
      if (answer.status === 200) expect(items(answer)).toEqual([]);
      else expectApiError(answer, answer.status === 403 ? 403 : 400);
      const sorted = await list(`notes/records?sort=title&sort=${q('@request.auth.id')}`, fixture.a.pb.authStore.token);
      if (sorted.status !== 200) expectApiError(sorted, sorted.status === 403 ? 403 : 400);
    });

    it.each([
      ['filter', 'id != ""'],
      ['sort', 'title'],
      ['expand', 'owner'],
    ])('answers repeated %s parameters in PocketBase shape, never 500', async (param, value) => {
      const answer = await list(
        `notes/records?${param}=${q(value)}&${param}=${q(value)}&${param}=`,
        fixture.a.pb.authStore.token,
      );
      if (answer.status !== 200) expectApiError(answer, 400);
    });
  });

  describe('4. hidden fields cannot be filtered or sorted on by non-superusers', () => {
    it.each([
      ['notes/records', 'filter', "secret ~ 'bumblebee'"],
      ['notes/records', 'filter', "secret != ''"],
      ['notes/records', 'sort', 'secret'],
      ['notes/records', 'filter', "owner.secretNote ~ 'bob'"],
      ['notes/records', 'sort', 'owner.secretNote'],
      ['users/records', 'filter', "password != ''"],
      ['users/records', 'filter', "tokenKey != ''"],
      ['users/records', 'sort', 'tokenKey'],
      ['users/records', 'filter', "notes_via_owner.secret ~ 'bumblebee'"],
    ])('%s %s=%j is a 400', async (path, param, value) => {
      expectApiError(await list(`${path}?${param}=${q(value)}`, fixture.a.pb.authStore.token), 400);
      expectApiError(await list(`${path}?${param}=${q(value)}`), 400);
    });

    it('lets a superuser filter on a hidden field', async () => {
      const answer = await list(`notes/records?filter=${q("secret ~ 'bumblebee'")}`, fixture.root.authStore.token);
      expect(answer.status).toBe(200);
      expect(items(answer)).toHaveLength(2);
    });
  });

  describe('5. filters are no oracle for what the list rules hide', () => {
    it('does not reveal B’s private note to A through a back-relation of users', async () => {
      // `?~`: any joined note (a plain `~` over a back-relation asks every note to match)
      const probe = (word: string, token: string) =>
        list(`users/records?filter=${q(`notes_via_owner.body ?~ '${word}'`)}&perPage=50`, token);
      const hiddenWord = await probe(SECRET_WORDS.b, fixture.a.pb.authStore.token);
      const noWord = await probe('no-such-word-anywhere', fixture.a.pb.authStore.token);
      expect(hiddenWord.status).toBe(200);
      expect(items(hiddenWord)).toEqual([]);
      expect({ status: hiddenWord.status, total: (hiddenWord.json as ListAnswer).totalItems }).toEqual({
        status: noWord.status,
        total: (noWord.json as ListAnswer).totalItems,
      });
      // the owner, whose rule lets her see the note, does find it
      const own = await probe(SECRET_WORDS.b, fixture.b.pb.authStore.token);
      expect(items(own).map((user) => user.id)).toEqual([fixture.b.id]);
    });

    it('does not reveal hidden notes by filtering notes directly or through a relation', async () => {
      const direct = await list(
        `notes/records?filter=${q(`body ~ '${SECRET_WORDS.b}'`)}`,
        fixture.a.pb.authStore.token,
      );
      expect((direct.json as ListAnswer).totalItems).toBe(0);
      const viaOwner = await list(
        `notes/records?filter=${q(`owner.notes_via_owner.body ?~ '${SECRET_WORDS.b}'`)}`,
        fixture.a.pb.authStore.token,
      );
      expect(viaOwner.status).toBe(200);
      expect(items(viaOwner)).toEqual([]);
    });

    it('refuses to join a collection whose list rule is null', async () => {
      expectApiError(
        await list(`users/records?filter=${q("locked_via_owner.title != ''")}`, fixture.a.pb.authStore.token),
        400,
      );
    });

    it('matches hidden emails in no non-superuser filter', async () => {
      const hidden = await list(
        `users/records?filter=${q(`email = '${fixture.b.email}'`)}`,
        fixture.a.pb.authStore.token,
      );
      expect(items(hidden)).toEqual([]);
      const lowered = await list(`users/records?filter=${q(`email:lower ~ 'bob@'`)}`, fixture.a.pb.authStore.token);
      expect(items(lowered)).toEqual([]);
      const visible = await list(
        `users/records?filter=${q(`email = '${fixture.c.email}'`)}`,
        fixture.a.pb.authStore.token,
      );
      expect(items(visible).map((user) => user.id)).toEqual([fixture.c.id]);
      const asRoot = await list(
        `users/records?filter=${q(`email = '${fixture.b.email}'`)}`,
        fixture.root.authStore.token,
      );
      expect(items(asRoot).map((user) => user.id)).toEqual([fixture.b.id]);
    });

    it('does not order records by hidden emails', async () => {
      const order = async (sort: string) =>
        items(
          await list(`users/records?filter=${q("id ~ 'hidemail'")}&sort=${q(sort)}`, fixture.c.pb.authStore.token),
        ).map((user) => user.id);
      // ordered by email they would come out 3, 2, 1 ascending; hidden, they tie and fall to `id`
      expect(await order('email,id')).toEqual(hiddenEmailIds);
      expect(await order('-email,id')).toEqual(hiddenEmailIds);
      const asRoot = items(
        await list(`users/records?filter=${q("id ~ 'hidemail'")}&sort=email`, fixture.root.authStore.token),
      ).map((user) => user.id);
      expect(asRoot).toEqual([...hiddenEmailIds].reverse());
    });
  });

  describe('6. expand shows only what the caller may view', () => {
    it('expands only the back-related notes A may see', async () => {
      const bob = await fixture.a.pb.collection('users').getOne(fixture.b.id, { expand: 'notes_via_owner' });
      const expanded = (bob.expand?.notes_via_owner ?? []) as { id: string; secret?: string }[];
      expect(expanded.map((note) => note.id)).toEqual([fixture.notes.bPublic]);
      expect(expanded[0]).not.toHaveProperty('secret');
      expect(bob).not.toHaveProperty('email');
      expect(bob).not.toHaveProperty('secretNote');
    });

    it('expands no owner a guest may not view', async () => {
      const note = await guest.collection('notes').getOne(fixture.notes.bPublic, { expand: 'owner' });
      expect(note.expand?.owner).toBeUndefined();
      expect(note).not.toHaveProperty('secret');
    });

    it('expands nothing from a null-rule collection', async () => {
      const alice = await fixture.a.pb.collection('users').getOne(fixture.a.id, { expand: 'locked_via_owner' });
      expect(alice.expand?.locked_via_owner).toBeUndefined();
    });
  });

  describe('7. parser fuzz', () => {
    it.each([
      ['nesting at the length limit', `${'('.repeat(1700)}id != ''${')'.repeat(1700)}`],
      ['an unbalanced nesting', '('.repeat(3000)],
      ['a filter over 3500 characters', `title = '${'a'.repeat(3600)}'`],
      ['201 comparisons', Array.from({ length: 201 }, (_, i) => `n = ${i}`).join(' || ')],
      ['an unterminated literal', "title = 'abc"],
      ['stray operators', '&& || ~ ?= !~'],
      ['control characters', 'title = "\u0001\u0002\u001b"'],
      ['a huge number', `n = ${'9'.repeat(400)}`],
      ['a deep relation path', `${'owner.notes_via_owner.'.repeat(20)}id != ''`],
    ])('answers %s without a 500', async (_what, filter) => {
      const answer = await list(`notes/records?filter=${q(filter)}`, fixture.a.pb.authStore.token);
      if (answer.status !== 200) expectApiError(answer, 400);
    });

    it('answers percent-encoded bytes that are not UTF-8 without a 500', async () => {
      for (const raw of ['%ED%A0%80%20%3D%201', 'title%20%3D%20%27%FF%FE%27', '%C0%AE%C0%AE']) {
        const answer = await list(`notes/records?filter=${raw}`, fixture.a.pb.authStore.token);
        if (answer.status !== 200) expectApiError(answer, 400);
      }
    });

    it('refuses filters over 3500 characters as PocketBase does', async () => {
      expectApiError(await list(`notes/records?filter=${q(`title = '${'a'.repeat(3600)}'`)}`), 400);
    });

    it('answers a 1 MB literal in PocketBase shape (too long: 400, or a request line too large: 431)', async () => {
      const answer = await list(`notes/records?filter=${q(`title = '${'x'.repeat(1024 * 1024)}'`)}`);
      expect([400, 414, 431]).toContain(answer.status);
      expectApiError(answer, answer.status);
    });

    it('survives a 1 MB body of nested arrays and a 1 MB string value', async () => {
      const nested = await fixture.api('/api/collections/notes/records', {
        method: 'POST',
        token: fixture.a.pb.authStore.token,
        body: `{"title":${'['.repeat(500_000)}${']'.repeat(500_000)}}`,
      });
      expect([400, 413]).toContain(nested.status);
      expectApiError(nested, nested.status);
      const long = await fixture.api('/api/collections/notes/records', {
        method: 'POST',
        token: fixture.a.pb.authStore.token,
        body: { title: 'x'.repeat(1024 * 1024), owner: fixture.a.id },
      });
      // text fields default to a 5000 characters max in PocketBase
      expectApiError(long, 400);
    });
  });

  describe('8. paging bounds', () => {
    it.each([
      ['perPage=5000', 1000, 1],
      ['perPage=0', 30, 1],
      ['perPage=-5', 30, 1],
      ['page=0', 30, 1],
      ['page=-3', 30, 1],
    ])('normalises %s', async (query, perPage, page) => {
      const answer = await list(`notes/records?${query}`, fixture.a.pb.authStore.token);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ perPage, page });
    });

    it.each([
      'page=99999999999999999999999',
      'perPage=99999999999999999999999',
      'page=abc',
      'perPage=1e3',
      'skipTotal=maybe',
    ])('answers %s with a PocketBase-shaped 400', async (query) => {
      expectApiError(await list(`notes/records?${query}`, fixture.a.pb.authStore.token), 400);
    });

    it('answers a page far past the end with an empty page', async () => {
      const answer = await list('notes/records?page=9999999999&perPage=1000', fixture.a.pb.authStore.token);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ page: 9999999999, items: [] });
    });

    it('skips the count with skipTotal and still caps the page', async () => {
      const answer = await list('notes/records?skipTotal=1&perPage=100000', fixture.a.pb.authStore.token);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ totalItems: -1, totalPages: -1, perPage: 1000 });
    });

    it.each([
      ['a NUL', '%00'],
      ['an embedded NUL', 'a%00b'],
      ['an encoded traversal', '..%2F..%2Fsettings'],
      ['SQL', '%27%20OR%201%3D1--'],
      ['5000 characters', 'x'.repeat(5000)],
    ])('answers an id of %s with a PocketBase-shaped 404', async (_what, id) => {
      expectApiError(await list(`notes/records/${id}`, fixture.a.pb.authStore.token), 404);
    });

    it('answers a malformed percent-encoding in PocketBase shape', async () => {
      const answer = await rawRequest(
        fixture.running.baseUrl,
        'GET /api/collections/notes/records?filter=%zz%E0%A4%A HTTP/1.1',
      );
      expect([200, 400]).toContain(answer.status);
      if (answer.status === 400) expectApiError(answer, 400);
      const path = await rawRequest(fixture.running.baseUrl, 'GET /api/collections/notes/records/%zz HTTP/1.1');
      expect([400, 404]).toContain(path.status);
      expectApiError(path, path.status);
    });
  });
});
