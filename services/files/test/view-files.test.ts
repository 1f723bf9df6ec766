import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { baseConfigSchema, loadConfig, PG_POOL } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import {
  createServiceApp,
  requireDatabaseUrl,
  SchemaRegistry,
  STORAGE_DRIVER,
  signRecordToken,
} from '@hivebase/runtime';
import {
  type AuthCollection,
  type Collection,
  newRecordId,
  normalizeCollection,
  quoteIdent,
  randomString,
} from '@hivebase/schema';
import { recordFileKey, type StorageDriver, thumbKey } from '@hivebase/storage';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilesModule } from '../src/files.module';

let database: TestDatabase;
let app: NestFastifyApplication;
let storageDir: string;
let pool: Pool;
let storage: StorageDriver;
let docs: Collection;

const first = {
  id: newRecordId(),
  doc: 'doc_aaaaaaaaaa.txt',
  many: ['many_aaaaaaaaaa.txt', 'many_bbbbbbbbbb.txt'],
  secret: 'secret_aaaaaaaaaa.txt',
  image: 'image_aaaaaaaaaa.png',
};
const second = { id: newRecordId(), doc: 'doc_bbbbbbbbbb.txt', many: ['many_cccccccccc.txt'] };

const get = (url: string) => app.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' });
const registry = () => app.get(SchemaRegistry);

/** An auth record stored straight into its table, with a file token for it. */
async function fileTokenFor(collectionName: string, email: string): Promise<string> {
  const collection = registry().find(collectionName) as AuthCollection;
  const id = newRecordId();
  const tokenKey = randomString(50);
  await pool.query(
    `INSERT INTO ${quoteIdent(collection.name)} (id, email, password, "tokenKey") VALUES ($1, $2, 'unused', $3)`,
    [id, email, tokenKey],
  );
  return signRecordToken(collection, { id, tokenKey }, 'fileToken');
}

/** Creates (or, given `existing`, changes) a collection as the collections service would. */
async function save(raw: Record<string, unknown>, existing?: Collection): Promise<Collection> {
  const { collection } = normalizeCollection(raw, existing);
  const [saved] = await registry().apply(() => [{ before: existing ?? null, after: collection }]);
  if (!saved) throw new Error('not saved');
  return saved;
}

const text = (value: string) => Readable.from([Buffer.from(value)]);

let png: Buffer;
let userToken = '';
let superuserToken = '';

beforeAll(async () => {
  database = await createTestDatabase();
  storageDir = await mkdtemp(join(tmpdir(), 'hb-view-files-'));
  const config = requireDatabaseUrl(
    loadConfig(baseConfigSchema, { DATABASE_URL: database.url, LOG_LEVEL: 'silent', HB_STORAGE_DIR: storageDir }),
  );
  app = await createServiceApp('view-files-test', FilesModule, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  pool = app.get<Pool>(PG_POOL);
  storage = app.get<StorageDriver>(STORAGE_DRIVER);
  userToken = await fileTokenFor('users', 'user@example.com');
  superuserToken = await fileTokenFor('_superusers', 'root@example.com');

  // The source collection's view rule lets superusers only: a protected file is reached through a view's rule.
  docs = await save({
    name: 'docs',
    viewRule: null,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'doc', type: 'file', maxSelect: 1 },
      { name: 'many', type: 'file', maxSelect: 3 },
      { name: 'secret', type: 'file', maxSelect: 1, protected: true },
      { name: 'image', type: 'file', maxSelect: 1, thumbs: ['20x20'] },
    ],
  });
  await pool.query(
    "INSERT INTO docs (id, doc, many, secret, image) VALUES ($1, $2, $3, $4, $5), ($6, $7, $8, '', '')",
    [first.id, first.doc, first.many, first.secret, first.image, second.id, second.doc, second.many],
  );
  png = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#0a0' } })
    .png()
    .toBuffer();
  const put = (recordId: string, name: string, body: Readable, contentType: string) =>
    storage.put(recordFileKey(docs.id, recordId, name), body, { contentType });
  await put(first.id, first.doc, text('first doc'), 'text/plain; charset=utf-8');
  await put(first.id, first.many[0] as string, text('many one'), 'text/plain; charset=utf-8');
  await put(first.id, first.many[1] as string, text('many two'), 'text/plain; charset=utf-8');
  await put(first.id, first.secret, text('top secret'), 'text/plain; charset=utf-8');
  await put(first.id, first.image, Readable.from([png]), 'image/png');
  await put(second.id, second.doc, text('second doc'), 'text/plain; charset=utf-8');
  await put(second.id, second.many[0] as string, text('many three'), 'text/plain; charset=utf-8');

  await save({
    name: 'docs_view',
    type: 'view',
    viewRule: '@request.auth.id != ""',
    viewQuery: 'SELECT id, title, doc, many, secret, image FROM docs',
  });
  await save({
    name: 'docs_nested',
    type: 'view',
    viewRule: '',
    viewQuery: 'SELECT id, doc AS inner_doc, many FROM docs_view',
  });
  await save({ name: 'docs_renamed', type: 'view', viewRule: '', viewQuery: 'SELECT id, doc AS attachment FROM docs' });
  // View record ids unlike the source's: the file is found by its name, as PocketBase.
  await save({
    name: 'docs_keyed',
    type: 'view',
    viewRule: '',
    viewQuery: "SELECT 'k' || id AS id, many AS files FROM docs",
  });
  await save({ name: 'docs_locked', type: 'view', viewRule: null, viewQuery: 'SELECT id, secret FROM docs' });
  await save({
    name: 'docs_computed',
    type: 'view',
    viewRule: '',
    viewQuery: "SELECT id, NULLIF(doc, '') AS doc, many FROM docs",
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await rm(storageDir, { recursive: true, force: true });
});

describe('view collections: files served from the source records', () => {
  it('serves a single and a multi file field', async () => {
    const single = await get(`/api/files/docs_view/${first.id}/${first.doc}`);
    expect(single.statusCode).toBe(200);
    expect(single.body).toBe('first doc');
    for (const [name, body] of [
      [first.many[0], 'many one'],
      [first.many[1], 'many two'],
    ]) {
      const response = await get(`/api/files/docs_view/${first.id}/${name}`);
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe(body);
    }
    // By the view's id too, and the second record's files from its own directory.
    const view = registry().find('docs_view') as Collection;
    expect((await get(`/api/files/${view.id}/${second.id}/${second.many[0]}`)).body).toBe('many three');
    expect((await get(`/api/files/docs_view/${second.id}/${second.doc}`)).body).toBe('second doc');
  });

  it('serves through a nested view, a renamed column and view ids unlike the source ids', async () => {
    const nested = await get(`/api/files/docs_nested/${first.id}/${first.doc}`);
    expect(nested.statusCode).toBe(200);
    expect(nested.body).toBe('first doc');
    expect((await get(`/api/files/docs_nested/${second.id}/${second.many[0]}`)).body).toBe('many three');
    const renamed = await get(`/api/files/docs_renamed/${second.id}/${second.doc}`);
    expect(renamed.statusCode).toBe(200);
    expect(renamed.body).toBe('second doc');
    const keyed = await get(`/api/files/docs_keyed/k${first.id}/${first.many[1]}`);
    expect(keyed.statusCode).toBe(200);
    expect(keyed.body).toBe('many two');
  });

  it('answers 404 for a name the view record does not hold, hostile names and missing bytes', async () => {
    // The second record's file through the first view record.
    expect((await get(`/api/files/docs_view/${first.id}/${second.doc}`)).statusCode).toBe(404);
    // A field the view does not select (the source record holds the name).
    expect((await get(`/api/files/docs_renamed/${first.id}/${first.many[0]}`)).statusCode).toBe(404);
    expect((await get(`/api/files/docs_keyed/${first.id}/${first.many[0]}`)).statusCode).toBe(404);
    for (const name of ['..%2f..%2fdocs%2fx', '%2e%2e', 'a%00b.txt', 'x'.repeat(300)]) {
      expect((await get(`/api/files/docs_view/${first.id}/${name}`)).statusCode).toBe(404);
    }
    expect((await get(`/api/files/docs_view/..%2f${first.id}/${first.doc}`)).statusCode).toBe(404);
    expect((await get(`/api/files/docs_view/${"x' OR '1'='1"}/${first.doc}`)).statusCode).toBe(404);
    // Held by the record, gone from storage.
    await pool.query(`UPDATE docs SET many = array_append(many, 'gone_aaaaaaaaaa.txt') WHERE id = $1`, [second.id]);
    expect((await get(`/api/files/docs_view/${second.id}/gone_aaaaaaaaaa.txt`)).statusCode).toBe(404);
  });

  it('answers 404 for a computed column, also one declared a file field', async () => {
    // Inferred as a text field: no file field holds the name.
    expect((await get(`/api/files/docs_computed/${first.id}/${first.doc}`)).statusCode).toBe(404);
    // A view whose stored fields call the computed column a file field (a definition written
    // by hand): the record holds the name, but the column leads to no source field.
    const computed = registry().find('docs_computed') as Collection;
    const fields = computed.fields.map((field) =>
      field.name === 'doc'
        ? { ...field, type: 'file', maxSelect: 1, maxSize: 0, mimeTypes: null, thumbs: null, protected: false }
        : field,
    );
    await pool.query(`UPDATE "_collections" SET data = $2 WHERE id = $1`, [
      computed.id,
      JSON.stringify({ ...computed, fields }),
    ]);
    await registry().reload();
    expect(
      registry()
        .find('docs_computed')
        ?.fields.find((field) => field.name === 'doc')?.type,
    ).toBe('file');
    expect((await get(`/api/files/docs_computed/${first.id}/${first.doc}`)).statusCode).toBe(404);
    // The view's plain file column still serves.
    expect((await get(`/api/files/docs_computed/${first.id}/${first.many[0]}`)).body).toBe('many one');
  });

  it("checks a protected file against the view's rule, with and without a token", async () => {
    // The source collection is superusers only; the view lets any signed-in record see it.
    expect((await get(`/api/files/docs/${first.id}/${first.secret}?token=${userToken}`)).statusCode).toBe(404);
    expect((await get(`/api/files/docs_view/${first.id}/${first.secret}`)).statusCode).toBe(404);
    expect((await get(`/api/files/docs_view/${first.id}/${first.secret}?token=bogus`)).statusCode).toBe(404);
    const allowed = await get(`/api/files/docs_view/${first.id}/${first.secret}?token=${userToken}`);
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toBe('top secret');
    // A view with no view rule: superusers only.
    expect((await get(`/api/files/docs_locked/${first.id}/${first.secret}?token=${userToken}`)).statusCode).toBe(404);
    const superuser = await get(`/api/files/docs_locked/${first.id}/${first.secret}?token=${superuserToken}`);
    expect(superuser.statusCode).toBe(200);
    expect(superuser.body).toBe('top secret');
  });

  it("makes a thumb through the view and stores it with the source record's files", async () => {
    const response = await get(`/api/files/docs_view/${first.id}/${first.image}?thumb=20x20`);
    expect(response.statusCode).toBe(200);
    expect(await sharp(response.rawPayload).metadata()).toMatchObject({ width: 20, height: 20, format: 'png' });
    expect(await storage.stat(thumbKey(docs.id, first.id, first.image, '20x20'))).not.toBeNull();
    const view = registry().find('docs_view') as Collection;
    expect(await storage.list(`${view.id}/`)).toEqual([]);
    // Served again (from storage or memory): the same bytes; the original without a thumb.
    const again = await get(`/api/files/docs_view/${first.id}/${first.image}?thumb=20x20`);
    expect(again.rawPayload.equals(response.rawPayload)).toBe(true);
    expect((await get(`/api/files/docs_view/${first.id}/${first.image}`)).rawPayload.equals(png)).toBe(true);
  });

  it("follows a view's new query after it changes", async () => {
    const renamed = registry().find('docs_renamed') as Collection;
    expect((await get(`/api/files/docs_renamed/${first.id}/${first.doc}`)).statusCode).toBe(200);
    await save({ viewQuery: 'SELECT id, image AS attachment FROM docs' }, renamed);
    expect((await get(`/api/files/docs_renamed/${first.id}/${first.doc}`)).statusCode).toBe(404);
    const image = await get(`/api/files/docs_renamed/${first.id}/${first.image}`);
    expect(image.statusCode).toBe(200);
    expect(image.rawPayload.equals(png)).toBe(true);
  });
});
