import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, SHAPE_NAMES } from '../support/auth-fixture';
import { expectApiError, type SecurityFixture, startSecurityFixture } from '../support/security-fixture';

// SECURITY-CHECKLIST items 9–13: authorization. Expectations are PocketBase v0.39.11's
// (apis/record_crud.go: modifiers are replaced before the rules read @request.body; apis/batch.go).

interface BatchFailure {
  status: number;
  message: string;
  data: { requests?: Record<string, { code: string; message: string; response: { status: number } }> };
}

describe.each(SHAPE_NAMES)('adversarial authorization (%s)', (shape) => {
  let fixture: SecurityFixture;

  beforeAll(async () => {
    fixture = await startSecurityFixture(shape);
  }, 240_000);
  afterAll(async () => {
    await fixture?.stop();
  });

  const records = (collection: string, id = '') => `/api/collections/${collection}/records${id ? `/${id}` : ''}`;
  const tokenOf = (who: 'a' | 'b' | 'c') => fixture[who].pb.authStore.token;
  const ownerOf = async (id: string) => (await fixture.root.collection('notes').getOne(id)).owner as string;

  describe('9. a null rule refuses everyone but superusers with 403', () => {
    it.each([
      ['list', 'GET', false],
      ['view', 'GET', true],
      ['create', 'POST', false],
      ['update', 'PATCH', true],
      ['delete', 'DELETE', true],
    ])('%s on `locked` is a 403 for a user and a guest', async (_action, method, withId) => {
      const locked = await fixture.root.collection('locked').getFirstListItem('');
      const path = records('locked', withId ? locked.id : '');
      for (const token of [tokenOf('a'), undefined]) {
        const answer = await fixture.api(path, {
          method,
          token,
          body: method === 'GET' || method === 'DELETE' ? undefined : { title: 'x' },
        });
        expectApiError(answer, 403);
        expect((answer.json as { message: string }).message).toBe('Only superusers can perform this action.');
      }
      expect((await fixture.root.collection('locked').getOne(locked.id)).title).toBe('only for superusers');
    });
  });

  describe('10. what the rules hide does not exist', () => {
    it('lists nothing where nothing matches', async () => {
      const page = await fixture.b.pb
        .collection('notes')
        .getList(1, 10, { filter: `id = "${fixture.notes.aPrivate}"` });
      expect(page).toMatchObject({ totalItems: 0, items: [] });
    });

    it.each([
      ['view', 'GET'],
      ['update', 'PATCH'],
      ['delete', 'DELETE'],
    ])('%s of a record the rule hides answers as for one that does not exist', async (_action, method) => {
      const body = method === 'PATCH' ? { title: 'taken over' } : undefined;
      const hidden = await fixture.api(records('notes', fixture.notes.aPrivate), { method, token: tokenOf('b'), body });
      const missing = await fixture.api(records('notes', 'nosuchrecord001'), { method, token: tokenOf('b'), body });
      expectApiError(hidden, 404);
      expect(hidden.json).toEqual(missing.json);
      expect((await fixture.root.collection('notes').getOne(fixture.notes.aPrivate)).title).toMatch(/^private note/);
    });
  });

  describe('11. an update cannot hand a record over unless the rule allows it', () => {
    it.each([
      ['owner', () => ({ owner: fixture.b.id })],
      ['owner+', () => ({ 'owner+': fixture.b.id })],
      ['+owner', () => ({ '+owner': fixture.b.id })],
      ['owner-', () => ({ 'owner-': fixture.a.id })],
      ['owner (empty)', () => ({ owner: '' })],
    ])('refuses {"%s": …} like the plain field (404)', async (_what, body) => {
      const answer = await fixture.api(records('notes', fixture.notes.aPrivate), {
        method: 'PATCH',
        token: tokenOf('a'),
        body: { title: 'handed over', ...body() },
      });
      expectApiError(answer, 404);
      expect(await ownerOf(fixture.notes.aPrivate)).toBe(fixture.a.id);
    });

    it('refuses the modifier in a multipart body too', async () => {
      const form = new FormData();
      form.append('owner+', fixture.b.id);
      const error = await failure(fixture.a.pb.collection('notes').update(fixture.notes.aPrivate, form));
      expect(error.status).toBe(404);
      expect(await ownerOf(fixture.notes.aPrivate)).toBe(fixture.a.id);
    });

    it('still lets the owner edit what the rule allows', async () => {
      const note = await fixture.a.pb.collection('notes').update(fixture.notes.aPublic, { title: 'edited by alice' });
      expect(note).toMatchObject({ title: 'edited by alice', owner: fixture.a.id });
    });

    it.each([
      ['n', { n: 7 }],
      ['n+', { 'n+': 7 }],
      ['n-', { 'n-': -7 }],
    ])('refuses a create with {"%s": …} that makes n = 7, as the rule refuses {"n": 7}', async (_what, body) => {
      const error = await failure(
        fixture.a.pb.collection('notes').create({ title: 'seven', owner: fixture.a.id, ...body }),
      );
      expect(error.status).toBe(400);
      expect(error.response).toMatchObject({ status: 400, data: {} });
      expect((await fixture.root.collection('notes').getList(1, 1, { filter: 'title = "seven"' })).totalItems).toBe(0);
    });

    it('creates with values the rule allows, and refuses another owner', async () => {
      const ok = await fixture.a.pb.collection('notes').create({ title: 'six', owner: fixture.a.id, 'n+': 6 });
      expect(ok.n).toBe(6);
      expect(
        (await failure(fixture.a.pb.collection('notes').create({ title: 'for bob', owner: fixture.b.id }))).status,
      ).toBe(400);
    });
  });

  describe('12. batch applies each request’s rules and rolls back as a unit', () => {
    const sendBatch = (token: string, requests: { method: string; url: string; body?: unknown }[]) =>
      fixture.api('/api/batch', { method: 'POST', token, body: { requests } });

    it.each([
      [
        'an update handing a note over',
        () => ({ method: 'PATCH', url: records('notes', fixture.notes.aPrivate), body: { 'owner+': fixture.b.id } }),
      ],
      [
        'an update of another user’s note',
        () => ({ method: 'PATCH', url: records('notes', fixture.notes.bPrivate), body: { title: 'mine now' } }),
      ],
      [
        'a create that makes n = 7',
        () => ({ method: 'POST', url: records('notes'), body: { title: 'x', owner: fixture.a.id, 'n+': 7 } }),
      ],
      ['a create in a null-rule collection', () => ({ method: 'POST', url: records('locked'), body: { title: 'x' } })],
      ['a delete of another user’s note', () => ({ method: 'DELETE', url: records('notes', fixture.notes.bPublic) })],
    ])('refuses %s and rolls back what came before', async (_what, second) => {
      const marker = `batch marker ${Math.random()}`;
      const answer = await sendBatch(tokenOf('a'), [
        { method: 'POST', url: records('notes'), body: { title: marker, owner: fixture.a.id } },
        second(),
      ]);
      expectApiError(answer, 400);
      expect((answer.json as BatchFailure).data.requests?.['1']?.code).toBe('batch_request_failed');
      expect((await fixture.root.collection('notes').getList(1, 1, { filter: `title = "${marker}"` })).totalItems).toBe(
        0,
      );
      expect(await ownerOf(fixture.notes.aPrivate)).toBe(fixture.a.id);
      expect(await ownerOf(fixture.notes.bPrivate)).toBe(fixture.b.id);
      expect((await fixture.root.collection('notes').getOne(fixture.notes.bPrivate)).title).toMatch(/^private note/);
      expect((await fixture.root.collection('notes').getOne(fixture.notes.bPublic)).id).toBe(fixture.notes.bPublic);
    });

    it('runs a batch the rules allow', async () => {
      const answer = await sendBatch(tokenOf('a'), [
        { method: 'POST', url: records('notes'), body: { title: 'batch ok', owner: fixture.a.id } },
        { method: 'PATCH', url: records('notes', fixture.notes.aPublic), body: { title: 'batch edit' } },
      ]);
      expect(answer.status).toBe(200);
      expect((answer.json as { status: number }[]).map((result) => result.status)).toEqual([200, 200]);
    });

    it('answers a guest’s batch against owner rules with the rule’s refusal, not someone’s data', async () => {
      const answer = await sendBatch('', [{ method: 'GET', url: records('notes', fixture.notes.aPrivate) }]);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.text).not.toContain('aardvark');
    });
  });

  describe('13. an email is shown only with emailVisibility, to its owner, or to superusers', () => {
    it('leaves B’s email out of A’s list and view, and keeps C’s', async () => {
      const users = await fixture.a.pb
        .collection('users')
        .getFullList({ filter: `id = "${fixture.b.id}" || id = "${fixture.c.id}"` });
      const bob = users.find((user) => user.id === fixture.b.id);
      const carol = users.find((user) => user.id === fixture.c.id);
      expect(bob).toBeDefined();
      expect(bob).not.toHaveProperty('email');
      expect(carol?.email).toBe(fixture.c.email);
      expect(await fixture.a.pb.collection('users').getOne(fixture.b.id)).not.toHaveProperty('email');
      expect((await fixture.b.pb.collection('users').getOne(fixture.b.id)).email).toBe(fixture.b.email);
      expect((await fixture.root.collection('users').getOne(fixture.b.id)).email).toBe(fixture.b.email);
    });

    it('leaves it out of expand, of `fields`, and of hidden fields', async () => {
      const note = await fixture.a.pb.collection('notes').getOne(fixture.notes.bPublic, { expand: 'owner' });
      const owner = note.expand?.owner as Record<string, unknown> | undefined;
      expect(owner?.id).toBe(fixture.b.id);
      expect(owner).not.toHaveProperty('email');
      expect(owner).not.toHaveProperty('secretNote');
      const picked = await fixture.a.pb
        .collection('users')
        .getOne(fixture.b.id, { fields: 'id,email,secretNote,tokenKey,password' });
      expect(picked).toEqual({ id: fixture.b.id });
    });

    it('leaves it out of batch answers', async () => {
      const answer = await fixture.api('/api/batch', {
        method: 'POST',
        token: tokenOf('a'),
        body: {
          requests: [
            { method: 'POST', url: `${records('notes')}?expand=owner`, body: { title: 'x', owner: fixture.a.id } },
          ],
        },
      });
      expect(answer.status).toBe(200);
      // A's own email is hers to see; B's never appears anywhere in A's answers
      expect(answer.text).not.toContain(fixture.b.email);
    });

    it('never answers with password hashes or token keys, even to superusers', async () => {
      const asRoot = await fixture.api(`${records('users')}?perPage=100`, { token: fixture.root.authStore.token });
      expect(asRoot.status).toBe(200);
      expect(asRoot.text).not.toMatch(/"password"|"tokenKey"|\$2[aby]\$/);
    });
  });
});
