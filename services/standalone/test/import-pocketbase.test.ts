import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BaseConfig, freePort } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import { defaultCollectionId, SUPERUSERS_COLLECTION_ID } from '@hivebase/schema';
import * as bcrypt from 'bcrypt';
import Database from 'better-sqlite3';
import pg from 'pg';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatReport,
  hasErrors,
  type ImportProgress,
  type ImportReport,
  importPocketBase,
  PocketBaseImportError,
} from '../src/pocketbase-import';
import { type StandaloneServer, startStandalone } from '../src/serve';
import { standaloneConfig } from '../src/standalone-config';
import { PbDataFixture, pbAuthFields, pbAuthOptions, pbField, pbIdField, pbTimestamps } from './pocketbase-fixture';

const USERS_ID = '_pb_users_auth_';
const TAGS_ID = defaultCollectionId('base', 'tags');
const POSTS_ID = defaultCollectionId('base', 'posts');
const TAG_COUNT = 1200;

const ALICE = { id: 'alice0000000001', email: 'alice@example.com', password: 'alice-password-1' };
const BOB = { id: 'bob000000000002', email: 'bob@example.com', password: 'bob-password-22' };
const ROOT = { id: 'root00000000001', email: 'root@example.com', password: 'root-password-1' };
const tagId = (i: number) => `tag${String(i).padStart(12, '0')}`;

const COVER = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(3000)]);
const DOC = Buffer.from('plain text attachment\n');
const DATA = randomBytes(200_000);
const AVATAR = Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), randomBytes(1000)]);

/** PocketBase (Go) writes `$2a$` bcrypt hashes. */
const goBcrypt = (password: string) => bcrypt.hashSync(password, 4).replace(/^\$2b\$/, '$2a$');

/** A token as PocketBase signs it: HS256 with the record's tokenKey + the collection's auth secret. */
function pocketBaseToken(claims: Record<string, unknown>, key: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}
const tokenKeyOf = (id: string) => `${id}${'k'.repeat(35)}`;

const POST_RULE = 'published = true || author = @request.auth.id';

function buildPocketBaseData(dir: string): void {
  const pb = new PbDataFixture(dir);
  pb.collection({
    id: defaultCollectionId('base', '_mfas'),
    name: '_mfas',
    type: 'base',
    system: true,
    fields: [
      pbIdField(),
      pbField('text', 'collectionRef', { system: true, required: true }),
      pbField('text', 'recordRef', { system: true, required: true }),
      pbField('text', 'method', { system: true, required: true }),
      ...pbTimestamps(true),
    ],
  });
  pb.collection({
    id: defaultCollectionId('base', '_externalAuths'),
    name: '_externalAuths',
    type: 'base',
    system: true,
    fields: [
      pbIdField(),
      pbField('text', 'collectionRef', { system: true, required: true }),
      pbField('text', 'recordRef', { system: true, required: true }),
      pbField('text', 'provider', { system: true, required: true }),
      pbField('text', 'providerId', { system: true, required: true }),
      ...pbTimestamps(true),
    ],
  });
  pb.collection({
    id: SUPERUSERS_COLLECTION_ID,
    name: '_superusers',
    type: 'auth',
    system: true,
    fields: [pbIdField(), ...pbAuthFields(), ...pbTimestamps(true)],
    indexes: [
      'CREATE UNIQUE INDEX `idx_tokenKey_pbc_3142635823` ON `_superusers` (`tokenKey`)',
      "CREATE UNIQUE INDEX `idx_email_pbc_3142635823` ON `_superusers` (`email`) WHERE `email` != ''",
    ],
    options: pbAuthOptions('s'),
  });
  pb.collection({
    id: USERS_ID,
    name: 'users',
    type: 'auth',
    fields: [
      pbIdField(),
      ...pbAuthFields(),
      // Ids of fields PocketBase migrated from before v0.23 differ from Hivebase's defaults.
      pbField('text', 'name', { id: 'users_name', max: 255 }),
      pbField('file', 'avatar', { mimeTypes: ['image/jpeg', 'image/png'] }),
      ...pbTimestamps(),
    ],
    indexes: [
      'CREATE UNIQUE INDEX `idx_tokenKey__pb_users_auth_` ON `users` (`tokenKey`)',
      "CREATE UNIQUE INDEX `idx_email__pb_users_auth_` ON `users` (`email`) WHERE `email` != ''",
    ],
    listRule: 'id = @request.auth.id',
    viewRule: 'id = @request.auth.id',
    createRule: '',
    updateRule: 'id = @request.auth.id',
    deleteRule: 'id = @request.auth.id',
    options: pbAuthOptions('u'),
  });
  pb.collection({
    id: TAGS_ID,
    name: 'tags',
    type: 'base',
    fields: [pbIdField(), pbField('text', 'name'), ...pbTimestamps()],
    listRule: '',
    viewRule: '',
  });
  pb.collection({
    id: POSTS_ID,
    name: 'posts',
    type: 'base',
    fields: [
      pbIdField(),
      pbField('text', 'title', { required: true }),
      pbField('number', 'views'),
      pbField('bool', 'published'),
      pbField('email', 'contact'),
      pbField('url', 'link'),
      pbField('editor', 'body'),
      pbField('date', 'publishAt'),
      pbField('select', 'category', { values: ['news', 'blog'] }),
      pbField('select', 'labels', { values: ['x', 'y', 'z'], maxSelect: 3 }),
      pbField('file', 'cover'),
      pbField('file', 'attachments', { maxSelect: 5 }),
      pbField('relation', 'author', { collectionId: USERS_ID }),
      pbField('relation', 'tags', { collectionId: TAGS_ID, maxSelect: 10 }),
      pbField('json', 'meta'),
      pbField('geoPoint', 'location'),
      ...pbTimestamps(),
    ],
    indexes: ['CREATE INDEX `idx_posts_title` ON `posts` (`title`)'],
    listRule: POST_RULE,
    viewRule: POST_RULE,
    createRule: "@request.auth.id != ''",
    updateRule: 'author = @request.auth.id',
    deleteRule: 'author = @request.auth.id',
  });
  pb.collection(
    {
      id: defaultCollectionId('view', 'post_stats'),
      name: 'post_stats',
      type: 'view',
      fields: [],
      listRule: '',
      viewRule: '',
    },
    'SELECT id, title, views FROM posts WHERE published = TRUE',
  );
  // SQLite's own date function: PocketBase runs it, Postgres has no strftime.
  pb.collection(
    { id: defaultCollectionId('view', 'post_years'), name: 'post_years', type: 'view', fields: [] },
    "SELECT id, strftime('%Y', created) AS year FROM posts",
  );
  // A name Hivebase keeps for its own table.
  pb.collection({
    id: defaultCollectionId('base', '_outbox'),
    name: '_outbox',
    type: 'base',
    fields: [pbIdField(), pbField('text', 'payload')],
  });
  pb.collection({ id: defaultCollectionId('base', 'broken'), name: 'broken', type: 'base', fields: [pbIdField()] });
  pb.rawCollectionColumn('broken', 'fields', '[{"id": not json');

  const auth = (user: { id: string; email: string; password: string }, extra: Record<string, unknown> = {}) => ({
    id: user.id,
    email: user.email,
    password: goBcrypt(user.password),
    tokenKey: tokenKeyOf(user.id),
    emailVisibility: false,
    verified: true,
    created: '2025-01-02 03:04:05.678Z',
    updated: '2025-01-02 03:04:05.678Z',
    ...extra,
  });
  pb.insert('_superusers', auth(ROOT));
  pb.insert('_superusers', auth({ id: 'installer000001', email: '__pbinstaller@example.com', password: 'x' }));
  pb.insert('users', auth(ALICE, { name: 'Alice', avatar: 'alice_3333333333.jpg' }));
  pb.insert('users', auth(BOB, { name: 'Bob' }));
  pb.file(USERS_ID, ALICE.id, 'alice_3333333333.jpg', AVATAR);
  pb.insert('_externalAuths', {
    id: 'extauth00000001',
    collectionRef: USERS_ID,
    recordRef: ALICE.id,
    provider: 'google',
    providerId: 'g-123',
    created: '2025-01-02 03:04:05.678Z',
    updated: '2025-01-02 03:04:05.678Z',
  });
  pb.insert('_mfas', { id: 'mfa000000000001', collectionRef: USERS_ID, recordRef: ALICE.id, method: 'password' });
  pb.insertMany(
    'tags',
    Array.from({ length: TAG_COUNT }, (_, i) => ({ id: tagId(i), name: `tag ${i}`, created: '', updated: '' })),
  );
  const post = (id: string, values: Record<string, unknown>) => ({
    id,
    views: 0,
    published: false,
    labels: [],
    attachments: [],
    tags: [],
    location: { lon: 0, lat: 0 },
    created: '2025-01-05 10:00:00.000Z',
    updated: '2025-01-06 11:00:00.000Z',
    ...values,
  });
  pb.insert(
    'posts',
    post('post00000000001', {
      title: 'Hello',
      views: 42,
      published: true,
      contact: 'a@example.com',
      link: 'https://example.com/a',
      body: '<p>Hi</p>',
      publishAt: '2025-02-03 04:05:06.789Z',
      category: 'news',
      labels: ['x', 'y'],
      cover: 'cover_a1b2c3d4e5.png',
      attachments: ['doc_1111111111.txt', 'data_2222222222.bin'],
      author: ALICE.id,
      tags: [tagId(1), tagId(2)],
      meta: { a: 1, b: [true, null], s: 'ü' },
      location: { lon: 13.4, lat: 52.5 },
    }),
  );
  pb.file(POSTS_ID, 'post00000000001', 'cover_a1b2c3d4e5.png', COVER);
  pb.file(POSTS_ID, 'post00000000001', 'doc_1111111111.txt', DOC);
  pb.file(POSTS_ID, 'post00000000001', 'data_2222222222.bin', DATA);
  pb.insert('posts', post('post00000000002', { title: 'Draft', author: ALICE.id, cover: 'missing_4444444444.png' }));
  pb.insert(
    'posts',
    post('post00000000003', { title: 'Bob', views: 3.5, published: true, author: BOB.id, attachments: ['../../../x'] }),
  );
  pb.insert(
    'posts',
    post('post00000000004', { title: 'Bob draft', author: BOB.id, meta: null, cover: 'link_5555555555.txt' }),
  );
  // A link out of the data directory: never followed.
  writeFileSync(join(dir, '..', 'outside.txt'), 'not PocketBase data');
  mkdirSync(join(dir, 'storage', POSTS_ID, 'post00000000004'), { recursive: true });
  symlinkSync(join(dir, '..', 'outside.txt'), join(dir, 'storage', POSTS_ID, 'post00000000004', 'link_5555555555.txt'));
  pb.insert('_outbox', { id: 'outbox000000001', payload: 'x' });
  pb.settings({
    meta: { appName: 'Imported App', appURL: 'https://app.example.com', senderName: 'Support' },
    batch: { enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 },
    logs: { maxDays: 7, minLevel: 0, logIP: true, logAuthId: false },
    s3: { enabled: false, bucket: '', region: '', endpoint: '', accessKey: '', secret: '', forcePathStyle: false },
  });
  pb.close();
}

let work: string;
let pbData: string;
let database: TestDatabase;
let config: BaseConfig;
let pool: pg.Pool;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'hb-pbimport-'));
  pbData = join(work, 'pb_data');
  buildPocketBaseData(pbData);
  database = await createTestDatabase();
  config = standaloneConfig(
    { dir: join(work, 'hb_data') },
    { DATABASE_URL: database.url, LOG_LEVEL: 'silent', HB_HTTP: `127.0.0.1:${await freePort()}` },
  );
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const count = async (table: string) => Number((await pool.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n);
const collectionNames = async () =>
  (await pool.query<{ name: string }>('SELECT name FROM "_collections" ORDER BY name')).rows.map((row) => row.name);

describe('hivebase import pocketbase: input it cannot use', () => {
  const refused = async (path: string, message: RegExp) => {
    const before = await collectionNames();
    const failure = await importPocketBase(config, path).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PocketBaseImportError);
    expect((failure as Error).message).toMatch(message);
    // Refused before the database is touched.
    expect(await collectionNames()).toEqual(before);
  };

  it('a path that does not exist', () => refused(join(work, 'nowhere'), /no such directory/));

  it('a file instead of a directory', async () => {
    const file = join(work, 'plain-file');
    writeFileSync(file, 'x');
    await refused(file, /is not a directory/);
  });

  it('a directory without data.db', async () => {
    const dir = join(work, 'empty');
    mkdirSync(dir);
    await refused(dir, /data\.db not found/);
  });

  it('a corrupt data.db', async () => {
    const dir = join(work, 'corrupt');
    mkdirSync(dir);
    writeFileSync(join(dir, 'data.db'), randomBytes(8192));
    await refused(dir, /is not a readable SQLite database/);
  });

  it("another application's SQLite database", async () => {
    const dir = join(work, 'other-app');
    mkdirSync(dir);
    const db = new Database(join(dir, 'data.db'));
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY)');
    db.close();
    await refused(dir, /no _collections table/);
  });

  it('a PocketBase before v0.23 (collections with a schema column)', async () => {
    const dir = join(work, 'legacy');
    mkdirSync(dir);
    const db = new Database(join(dir, 'data.db'));
    db.exec('CREATE TABLE _collections (id TEXT PRIMARY KEY, name TEXT, type TEXT, schema JSON, options JSON)');
    db.close();
    await refused(dir, /before v0\.23/);
  });
});

describe('hivebase import pocketbase', () => {
  let report: ImportReport;

  it('an interrupted run leaves whole pages behind, and the next run completes it', async () => {
    const crashing: ImportProgress = {
      start() {},
      update(done) {
        if (done >= 500) throw new Error('simulated crash');
      },
      finish() {},
    };
    await expect(importPocketBase(config, pbData, { progress: crashing })).rejects.toThrow('simulated crash');
    // users (2 rows) came first and are complete; tags stopped after its first page of 500.
    expect(await count('users')).toBe(2);
    expect(await count('tags')).toBe(500);
    expect(await count('posts')).toBe(0);

    const steps: string[] = [];
    report = await importPocketBase(config, pbData, {
      progress: { start: (step) => steps.push(step), update() {}, finish() {} },
    });
    expect(steps).toEqual([
      'records _externalAuths',
      'records _superusers',
      'records users',
      'records tags',
      'records posts',
    ]);
    expect(report.records.tags).toEqual({ source: TAG_COUNT, inserted: TAG_COUNT - 500, present: 500, failed: 0 });
    expect(report.records.users).toEqual({ source: 2, inserted: 0, present: 2, failed: 0 });
    expect(report.records.posts).toEqual({ source: 4, inserted: 4, present: 0, failed: 0 });
    // The installer placeholder is no superuser to carry.
    expect(report.records._superusers).toEqual({ source: 1, inserted: 0, present: 1, failed: 0 });
    expect(await count('tags')).toBe(TAG_COUNT);
    expect(await count('posts')).toBe(4);
    expect(report.files).toEqual({ copied: 3, present: 1, failed: 3 });
    expect(report.settings).toBe('imported');
    // The first run created the collections; this one found them as it would have made them.
    expect(report.collections.created).toEqual([]);
    expect(report.collections.updated).toEqual([]);
  });

  it('reports, with reasons, what it could not carry', () => {
    const problem = (subject: string) => report.problems.find((entry) => entry.subject === subject);
    expect(problem('collection _outbox')).toMatchObject({
      severity: 'error',
      reason: expect.stringMatching(/reserved/),
    });
    expect(problem('records _outbox')).toMatchObject({
      severity: 'error',
      reason: expect.stringMatching(/not imported/),
    });
    expect(problem('collection broken')).toMatchObject({ severity: 'error', reason: expect.stringMatching(/JSON/) });
    expect(problem('collection post_years')).toMatchObject({
      severity: 'error',
      reason: expect.stringMatching(/strftime/),
    });
    expect(problem('records _mfas')).toMatchObject({
      severity: 'skipped',
      reason: expect.stringMatching(/short-lived/),
    });
    expect(problem('file posts/post00000000002/missing_4444444444.png')).toMatchObject({
      severity: 'error',
      reason: expect.stringMatching(/missing from/),
    });
    expect(problem('file posts/post00000000003/../../../x')).toMatchObject({
      severity: 'error',
      reason: expect.stringMatching(/invalid file name/),
    });
    expect(problem('file posts/post00000000004/link_5555555555.txt')).toMatchObject({
      severity: 'error',
      reason: expect.stringMatching(/not a regular file/),
    });
    expect(hasErrors(report)).toBe(true);
    const text = formatReport(report);
    expect(text).toContain('records: ');
    expect(text).toMatch(/\[error\] collection _outbox: .*reserved/);
    // Nothing of a refused collection reached the database, nor anything outside the record's directory.
    expect(text).not.toContain('undefined');
  });

  it('a run over a finished import changes nothing', async () => {
    const version = async () =>
      (await pool.query(`SELECT value, updated FROM "_params" WHERE id IN ('schemaVersion', 'settings') ORDER BY id`))
        .rows;
    const before = await version();
    const again = await importPocketBase(config, pbData);
    expect(await version()).toEqual(before);
    expect(again.collections.created).toEqual([]);
    expect(again.collections.updated).toEqual([]);
    expect(again.collections.unchanged).toEqual(['users', 'tags', 'posts', 'post_stats']);
    for (const counts of Object.values(again.records)) {
      expect(counts.inserted).toBe(0);
      expect(counts.present).toBe(counts.source);
    }
    expect(again.files).toEqual({ copied: 0, present: 4, failed: 3 });
    expect(again.settings).toBe('unchanged');
  });

  it('keeps what the records carry: ids, hashes, tokenKeys, bookkeeping; skips the installer and MFA state', async () => {
    const { rows } = await pool.query('SELECT id, password, "tokenKey" FROM users ORDER BY id');
    expect(rows.map((row) => row.id)).toEqual([ALICE.id, BOB.id]);
    expect(rows[0].password).toMatch(/^\$2a\$04\$/);
    expect(rows[0].tokenKey).toBe(tokenKeyOf(ALICE.id));
    expect((await pool.query(`SELECT email FROM "_superusers" WHERE email LIKE '%pbinstaller%'`)).rowCount).toBe(0);
    expect((await pool.query('SELECT "recordRef", provider FROM "_externalAuths"')).rows).toEqual([
      { recordRef: ALICE.id, provider: 'google' },
    ]);
    expect(await count('_mfas')).toBe(0);
    expect(await collectionNames()).not.toContain('broken');
  });

  describe('the imported data, served', () => {
    let server: StandaloneServer;
    let baseUrl: string;

    beforeAll(async () => {
      server = await startStandalone(config);
      baseUrl = `http://127.0.0.1:${server.port}`;
    });

    afterAll(async () => {
      await server?.close();
    });

    it('users and superusers sign in with their PocketBase passwords', async () => {
      const alice = new PocketBase(baseUrl);
      const auth = await alice.collection('users').authWithPassword(ALICE.email, ALICE.password);
      expect(auth.record.id).toBe(ALICE.id);
      await expect(
        new PocketBase(baseUrl).collection('users').authWithPassword(ALICE.email, 'wrong-password'),
      ).rejects.toMatchObject({ status: 400 });
      const root = new PocketBase(baseUrl);
      await root.collection('_superusers').authWithPassword(ROOT.email, ROOT.password);
      expect(root.authStore.isSuperuser).toBe(true);
    });

    it('a token PocketBase issued before the move is still good (tokenKey and secret carried)', async () => {
      const secret = (pbAuthOptions('u').authToken as { secret: string }).secret;
      const exp = Math.floor(Date.now() / 1000) + 3600;
      const claims = { id: ALICE.id, type: 'auth', collectionId: USERS_ID, refreshable: true, exp };
      const client = new PocketBase(baseUrl);
      client.authStore.save(pocketBaseToken(claims, tokenKeyOf(ALICE.id) + secret), null);
      expect((await client.collection('users').authRefresh()).record.id).toBe(ALICE.id);
      client.authStore.save(pocketBaseToken(claims, `${tokenKeyOf(ALICE.id)}wrong-secret`), null);
      await expect(client.collection('users').authRefresh()).rejects.toMatchObject({ status: 401 });
    });

    it('every field type reads back as PocketBase had it; relations expand', async () => {
      const root = new PocketBase(baseUrl);
      await root.collection('_superusers').authWithPassword(ROOT.email, ROOT.password);
      expect((await root.collection('tags').getList(1, 1)).totalItems).toBe(TAG_COUNT);
      expect((await root.collection('posts').getList(1, 1)).totalItems).toBe(4);
      const post = await root.collection('posts').getOne('post00000000001', { expand: 'author,tags' });
      expect(post).toMatchObject({
        collectionId: POSTS_ID,
        title: 'Hello',
        views: 42,
        published: true,
        contact: 'a@example.com',
        link: 'https://example.com/a',
        body: '<p>Hi</p>',
        publishAt: '2025-02-03 04:05:06.789Z',
        category: 'news',
        labels: ['x', 'y'],
        cover: 'cover_a1b2c3d4e5.png',
        attachments: ['doc_1111111111.txt', 'data_2222222222.bin'],
        author: ALICE.id,
        tags: [tagId(1), tagId(2)],
        meta: { a: 1, b: [true, null], s: 'ü' },
        location: { lon: 13.4, lat: 52.5 },
        created: '2025-01-05 10:00:00.000Z',
        updated: '2025-01-06 11:00:00.000Z',
      });
      expect(post.expand?.author).toMatchObject({ id: ALICE.id, name: 'Alice' });
      expect(post.expand?.tags.map((tag: { name: string }) => tag.name)).toEqual(['tag 1', 'tag 2']);
      const bob = await root.collection('posts').getOne('post00000000003');
      expect(bob).toMatchObject({ views: 3.5, attachments: ['../../../x'], meta: null, cover: '' });
    });

    it('files are served byte for byte', async () => {
      const file = async (path: string) => {
        const response = await fetch(`${baseUrl}/api/files/${path}`);
        expect(response.status).toBe(200);
        return Buffer.from(await response.arrayBuffer());
      };
      expect((await file('posts/post00000000001/cover_a1b2c3d4e5.png')).equals(COVER)).toBe(true);
      expect((await file('posts/post00000000001/doc_1111111111.txt')).equals(DOC)).toBe(true);
      expect((await file('posts/post00000000001/data_2222222222.bin')).equals(DATA)).toBe(true);
      expect((await file(`users/${ALICE.id}/alice_3333333333.jpg`)).equals(AVATAR)).toBe(true);
      // What the import refused to copy is not there to serve.
      expect((await fetch(`${baseUrl}/api/files/posts/post00000000004/link_5555555555.txt`)).status).toBe(404);
    });

    it("PocketBase's rules hold: guests, owners and @request.auth", async () => {
      const guest = new PocketBase(baseUrl);
      const ids = (items: { id: string }[]) => items.map((item) => item.id).sort();
      expect(ids(await guest.collection('posts').getFullList())).toEqual(['post00000000001', 'post00000000003']);
      expect(await guest.collection('users').getFullList()).toEqual([]);
      const alice = new PocketBase(baseUrl);
      await alice.collection('users').authWithPassword(ALICE.email, ALICE.password);
      expect(ids(await alice.collection('posts').getFullList())).toEqual([
        'post00000000001',
        'post00000000002',
        'post00000000003',
      ]);
      await expect(alice.collection('posts').update('post00000000003', { title: 'mine now' })).rejects.toMatchObject({
        status: 404,
      });
      await expect(guest.collection('posts').create({ title: 'anonymous' })).rejects.toMatchObject({ status: 400 });
      expect(ids(await guest.collection('post_stats').getFullList())).toEqual(['post00000000001', 'post00000000003']);
    });

    it("PocketBase's settings apply", async () => {
      const root = new PocketBase(baseUrl);
      await root.collection('_superusers').authWithPassword(ROOT.email, ROOT.password);
      const settings = await root.settings.getAll();
      expect(settings.meta).toMatchObject({ appName: 'Imported App', appURL: 'https://app.example.com' });
      expect(settings.batch).toMatchObject({ enabled: true, maxRequests: 50 });
      expect(settings.s3.enabled).toBe(false);
    });
  });
});

describe('hivebase import pocketbase: PocketBase kept its files on S3', () => {
  let s3Database: TestDatabase;
  let s3Work: string;

  beforeAll(async () => {
    s3Work = mkdtempSync(join(tmpdir(), 'hb-pbimport-s3-'));
    s3Database = await createTestDatabase();
  });

  afterAll(async () => {
    await s3Database?.drop();
    if (s3Work) rmSync(s3Work, { recursive: true, force: true });
  });

  it('leaves the files in the bucket and points Hivebase at it; a key Hivebase refuses is reported', async () => {
    const dir = join(s3Work, 'pb_data');
    const pb = new PbDataFixture(dir);
    pb.collection({
      id: 'pbc_docs',
      name: 'docs',
      type: 'base',
      fields: [pbIdField(), pbField('file', 'file')],
    });
    pb.insert('docs', { id: 'doc000000000001', file: 'report_1234567890.pdf' });
    const s3 = {
      enabled: true,
      bucket: 'pb-files',
      region: 'eu-central-1',
      endpoint: 'https://s3.example.com',
      accessKey: 'AKIAEXAMPLE',
      secret: 'secret-key',
      forcePathStyle: true,
    };
    pb.settings({ s3, meta: { appName: 'S3 App', senderAddress: 'not an email' } });
    pb.close();
    const s3Config = standaloneConfig(
      { dir: join(s3Work, 'hb_data') },
      { DATABASE_URL: s3Database.url, LOG_LEVEL: 'silent' },
    );

    const result = await importPocketBase(s3Config, dir);
    expect(result.records.docs).toMatchObject({ inserted: 1 });
    // Nothing under storage/ was looked for, so nothing is reported missing.
    expect(result.files).toEqual({ copied: 0, present: 0, failed: 0 });
    expect(result.problems).toContainEqual({
      severity: 'skipped',
      subject: 'files',
      reason: expect.stringMatching(/on S3/),
    });
    expect(result.problems).toContainEqual({
      severity: 'error',
      subject: 'settings meta',
      reason: expect.stringMatching(/senderAddress/),
    });
    const client = new pg.Client({ connectionString: s3Database.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT value FROM "_params" WHERE id = 'settings'`);
      expect(rows[0].value.s3).toMatchObject(s3);
      // The refused key stayed as Hivebase had it.
      expect(rows[0].value.meta.appName).not.toBe('S3 App');
    } finally {
      await client.end();
    }
  });
});
