import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootedWithRoot, bootWithRoot, failure, SHAPE_NAMES } from './support/auth-fixture';
import { type RunningShape } from './support/boot-shape';

// Collections API and health parity with PocketBase v0.39 (Hivebase issue 10), through the SDK.

type Json = Record<string, unknown>;

describe.each(SHAPE_NAMES)('collections parity through the SDK (%s)', (shape) => {
  let booted: BootedWithRoot | undefined;
  let running: RunningShape;
  let root: PocketBase;
  let alice: PocketBase;
  let guest: PocketBase;

  beforeAll(async () => {
    booted = await bootWithRoot(shape);
    ({ running, root } = booted);
    guest = new PocketBase(running.baseUrl);
    await guest.collection('users').create({
      email: 'alice@example.com',
      password: 'alice-password',
      passwordConfirm: 'alice-password',
    });
    alice = new PocketBase(running.baseUrl);
    await alice.collection('users').authWithPassword('alice@example.com', 'alice-password');
    await root.collections.create({
      name: 'notes',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'meta', type: 'json' },
      ],
    });
  }, 180_000);

  afterAll(() => booted?.stop());

  describe('1. GET /api/health', () => {
    it('gives superusers exactly canBackup, possibleProxyHeader and realIP (the client address); others data {}', async () => {
      expect(await guest.health.check()).toEqual({ message: 'API is healthy.', code: 200, data: {} });
      expect((await alice.health.check()).data).toEqual({});
      const health = await root.health.check();
      expect(health).toEqual({
        message: 'API is healthy.',
        code: 200,
        data: { canBackup: true, possibleProxyHeader: '', realIP: '127.0.0.1' },
      });
      const viaCloudflare = await root.health.check({ headers: { 'CF-Connecting-IP': '198.51.100.7' } });
      expect(viaCloudflare.data.possibleProxyHeader).toBe('CF-Connecting-IP');
    });

    it("judges trusted proxy headers by what the client sent, not what Hivebase's gateway adds", async () => {
      await root.settings.update({ trustedProxy: { headers: ['X-Forwarded-For'], useLeftmostIP: false } });
      try {
        expect((await root.health.check()).data).toEqual({
          canBackup: true,
          possibleProxyHeader: '',
          realIP: '127.0.0.1',
        });
        const proxied = await root.health.check({ headers: { 'X-Forwarded-For': '203.0.113.1, 198.51.100.7' } });
        expect(proxied.data).toEqual({
          canBackup: true,
          possibleProxyHeader: 'X-Forwarded-For',
          realIP: '198.51.100.7',
        });
      } finally {
        await root.settings.update({ trustedProxy: { headers: [], useLeftmostIP: false } });
      }
    });
  });

  describe('2. superuser-only routes', () => {
    it.each([
      ['collections', (pb: PocketBase) => pb.collections.getList()],
      ['one collection', (pb: PocketBase) => pb.collections.getOne('notes')],
      ['settings', (pb: PocketBase) => pb.settings.getAll()],
    ])('%s: 401 for guests, 403 for other auth records', async (_what, send) => {
      const asGuest = await failure(send(guest));
      expect(asGuest.response).toEqual({
        data: {},
        message: 'The request requires valid record authorization token.',
        status: 401,
      });
      const asUser = await failure(send(alice));
      expect(asUser.response).toEqual({
        data: {},
        message: 'The authorized record is not allowed to perform this action.',
        status: 403,
      });
    });
  });

  describe('3. help on fields', () => {
    it('is on every field of every type but autodate, system fields included', async () => {
      const collections = await root.collections.getFullList();
      const fields = collections.flatMap((collection) => collection.fields as unknown as Json[]);
      expect(fields.length).toBeGreaterThan(20);
      for (const field of fields) {
        if (field.type === 'autodate') expect(field).not.toHaveProperty('help');
        else expect(field).toHaveProperty('help', '');
      }
      const helped = await root.collections.create({
        name: 'helped',
        fields: [{ name: 'title', type: 'text', help: 'Shown under the input.' }],
      });
      expect(helped.fields.find((field) => field.name === 'title')).toMatchObject({ help: 'Shown under the input.' });
    });
  });

  describe('4. token durations', () => {
    it("gives a new auth collection PocketBase's defaults while _superusers keeps one day", async () => {
      const members = (await root.collections.create({ name: 'members', type: 'auth' })) as unknown as Json;
      expect(members).toMatchObject({
        authToken: { duration: 432000 },
        passwordResetToken: { duration: 1800 },
        emailChangeToken: { duration: 1800 },
        verificationToken: { duration: 86400 },
        fileToken: { duration: 180 },
        mfa: { duration: 600 },
      });
      expect(await root.collections.getOne('_superusers')).toMatchObject({ authToken: { duration: 86400 } });
    });
  });

  describe('5. rules resolved against the new schema', () => {
    it.each(['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule', 'authRule', 'manageRule'])(
      '%s naming a missing field → 400 validation_invalid_rule',
      async (key) => {
        const error = await failure(
          root.collections.create({ name: `ruled_${key}`, type: 'auth', [key]: 'missing_field = 1' }),
        );
        expect(error.status).toBe(400);
        expect(error.response.message).toBe('Failed to create collection.');
        expect(error.response.data[key]).toMatchObject({ code: 'validation_invalid_rule' });
        await expect(root.collections.getOne(`ruled_${key}`)).rejects.toMatchObject({ status: 404 });
      },
    );

    it('accepts a rule on a field submitted in the same request, refuses it once the field goes', async () => {
      const created = await root.collections.create({
        name: 'ruled_ok',
        fields: [{ name: 'title', type: 'text' }],
        listRule: "title != '' && @request.auth.id != ''",
      });
      expect(created.listRule).toBe("title != '' && @request.auth.id != ''");
      const error = await failure(
        root.collections.update('ruled_ok', { fields: created.fields.filter((field) => field.name !== 'title') }),
      );
      expect(error.response.data.listRule).toMatchObject({ code: 'validation_invalid_rule' });
    });
  });

  describe('6. duplicate names', () => {
    it('refuses the same name in any case with validation_collection_name_exists, before any DDL', async () => {
      for (const name of ['notes', 'NOTES']) {
        const error = await failure(root.collections.create({ name, fields: [{ name: 'other', type: 'bool' }] }));
        expect(error.status).toBe(400);
        expect(error.response.data).toEqual({
          name: {
            code: 'validation_collection_name_exists',
            message: 'Collection name must be unique (case insensitive).',
          },
        });
      }
      const notes = await root.collections.getOne('notes');
      expect(notes.fields.map((field) => field.name)).toEqual(['id', 'title', 'meta']);
    });
  });

  describe('7. failure messages', () => {
    it('says "Failed to update collection." and "Failed to delete collection …" as PocketBase', async () => {
      const update = await failure(root.collections.update('notes', { listRule: 'nope = 1' }));
      expect(update.response.message).toBe('Failed to update collection.');
      expect(update.response.data.listRule).toMatchObject({ code: 'validation_invalid_rule' });

      const system = await failure(root.collections.delete('_superusers'));
      expect(system.response).toEqual({ data: {}, message: 'Failed to delete collection.', status: 400 });

      const notes = await root.collections.getOne('notes');
      await root.collections.create({
        name: 'note_refs',
        fields: [{ name: 'note', type: 'relation', collectionId: notes.id, maxSelect: 1 }],
      });
      const referenced = await failure(root.collections.delete('notes'));
      expect(referenced.response).toEqual({
        data: {},
        message: 'Failed to delete collection probably due to existing reference in note_refs.',
        status: 400,
      });
      await root.collections.delete('note_refs');
    });
  });

  describe('9. json fields hold any JSON value', () => {
    const VALUES: [string, unknown][] = [
      ['an array', [1, 'two', { three: 3 }, [4], null, true]],
      ['an empty array', []],
      ['a string', 'plain text'],
      ['a number', 42.5],
      ['a boolean', false],
      ['an object', { nested: { list: [1, 2], flag: true, nothing: null } }],
      ['null', null],
    ];

    it('keeps every JSON kind as sent, on create and on update', async () => {
      const created = await root.collection('notes').create({ title: 'json', meta: { start: true } });
      for (const [what, value] of VALUES) {
        const record = await root.collection('notes').create({ title: what, meta: value });
        expect(record.meta, `${what} on create`).toEqual(value);
        expect((await root.collection('notes').getOne(record.id)).meta, `${what} read back`).toEqual(value);

        const updated = await root.collection('notes').update(created.id, { meta: value });
        expect(updated.meta, `${what} on update`).toEqual(value);
        expect((await root.collection('notes').getOne(created.id)).meta, `${what} read back`).toEqual(value);
      }
    });

    it('refuses a value over the 1 MiB default maxSize with a 400', async () => {
      const error = await failure(root.collection('notes').create({ meta: 'a'.repeat(1024 * 1024) }));
      expect(error.status).toBe(400);
      expect(error.response.data.meta).toMatchObject({
        code: 'validation_json_size_limit',
        params: { maxSize: 1048576 },
      });
    });
  });
});
