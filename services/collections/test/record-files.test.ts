import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseConfigSchema, loadConfig } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import {
  createServiceApp,
  requireDatabaseUrl,
  SchemaRegistry,
  SettingsService,
  s3FromEnvironment,
} from '@hivebase/runtime';
import { normalizeCollection } from '@hivebase/schema';
import { S3StorageDriver } from '@hivebase/storage';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import S3rver from 's3rver';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CollectionsModule } from '../src/collections.module';
import { createAuthRecord } from './support/auth-record';

type Json = Record<string, unknown>;
let database: TestDatabase;
let app: NestFastifyApplication;
let storageDir: string;
let token = '';
let docsId = '';
const BASE_LIMIT = 1024 * 1024;

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082',
  'hex',
);

/** The multipart body the SDK sends for a FormData. */
async function multipart(form: FormData) {
  const request = new Request('http://local', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type') ?? '', authorization: token },
  };
}

async function send(method: 'POST' | 'PATCH', url: string, form: FormData) {
  const response = await app.inject({ method, url, ...(await multipart(form)) });
  return { status: response.statusCode, body: response.json() as Json };
}

const file = (content: string | Buffer, name: string) => new File([content], name);

/** Removals run as a queued job after the response: wait until storage holds exactly `expected`. */
const eventually = (check: () => Promise<void>) => vi.waitFor(check, { timeout: 10_000, interval: 50 });

async function storedFiles(): Promise<string[]> {
  const walk = async (dir: string, prefix: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const out: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) out.push(...(await walk(join(dir, entry.name), `${prefix}${entry.name}/`)));
      else out.push(prefix + entry.name);
    }
    return out.sort();
  };
  return walk(storageDir, '');
}

beforeAll(async () => {
  database = await createTestDatabase();
  storageDir = await mkdtemp(join(tmpdir(), 'hb-files-test-'));
  const config = requireDatabaseUrl(
    loadConfig(baseConfigSchema, {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
      HB_STORAGE_DIR: storageDir,
      // A small base, so the per-collection limits show with small bodies.
      HB_BODY_LIMIT: String(BASE_LIMIT),
    }),
  );
  app = await createServiceApp('record-files-test', CollectionsModule, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  token = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  const { collection } = normalizeCollection({
    name: 'docs',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'one', type: 'file', maxSelect: 1, maxSize: 1000 },
      { name: 'many', type: 'file', maxSelect: 3 },
      { name: 'images', type: 'file', maxSelect: 2, mimeTypes: ['image/png'] },
    ],
  });
  docsId = collection.id;
  await app.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
  await app.get(SettingsService).update({ batch: { enabled: true, maxRequests: 10, timeout: 3, maxBodySize: 0 } });
});

const truncate = () =>
  app.inject({ method: 'DELETE', url: '/api/collections/docs/truncate', headers: { authorization: token } });

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await rm(storageDir, { recursive: true, force: true });
});

describe('record file uploads', () => {
  // Each test starts with no record and no stored file.
  beforeEach(async () => {
    await truncate();
    await eventually(async () => expect(await storedFiles()).toEqual([]));
  });
  afterAll(truncate);

  it('stores uploads under PocketBase names, replaces a single file, appends and removes', async () => {
    const form = new FormData();
    form.append('title', 'a');
    form.append('one', file('hello', 'Hello World.txt'));
    form.append('many', file('x', 'xxx.txt'));
    form.append('many', file('y', 'yyy.txt'));
    const created = await send('POST', '/api/collections/docs/records', form);
    expect(created.status).toBe(200);
    const id = String(created.body.id);
    expect(created.body.one).toMatch(/^hello_world_[a-z0-9]{10}\.txt$/);
    expect(created.body.many).toEqual([expect.stringMatching(/^xxx_/), expect.stringMatching(/^yyy_/)]);
    expect(await storedFiles()).toEqual(
      [created.body.one, ...(created.body.many as string[])].map((name) => `${docsId}/${id}/${name}`).sort(),
    );

    const replace = new FormData();
    replace.append('one', file('bye', 'b.txt'));
    replace.append('many+', file('z', 'zzz.txt'));
    replace.append('many-', (created.body.many as string[])[0] as string);
    const updated = await send('PATCH', `/api/collections/docs/records/${id}`, replace);
    expect(updated.status).toBe(200);
    const many = updated.body.many as string[];
    expect(many).toEqual([(created.body.many as string[])[1], expect.stringMatching(/^zzz_/)]);
    await eventually(async () =>
      expect(await storedFiles()).toEqual([updated.body.one, ...many].map((name) => `${docsId}/${id}/${name}`).sort()),
    );

    const removed = await app.inject({
      method: 'DELETE',
      url: `/api/collections/docs/records/${id}`,
      headers: { authorization: token },
    });
    expect(removed.statusCode).toBe(204);
    await eventually(async () => expect(await storedFiles()).toEqual([]));
  });

  it.each([
    ['too large', 'one', [file('x'.repeat(1001), 'big.txt')], 'validation_file_size_limit'],
    ['too many', 'many', ['a', 'b', 'c', 'd'].map((n) => file(n, `${n}.txt`)), 'validation_too_many_files'],
    ['HTML named .png', 'images', [file('<!doctype html><script>1</script>', 'x.png')], 'validation_invalid_mime_type'],
  ])('refuses %s and leaves no file behind', async (_name, field, files, code) => {
    const form = new FormData();
    for (const upload of files) form.append(field, upload);
    const { status, body } = await send('POST', '/api/collections/docs/records', form);
    expect(status).toBe(400);
    expect(body).toMatchObject({ data: { [field]: { code } } });
    expect(await storedFiles()).toEqual([]);
  });

  it('takes a PNG by its content', async () => {
    const form = new FormData();
    form.append('images', file(PNG, 'pixel'));
    const { status, body } = await send('POST', '/api/collections/docs/records', form);
    expect(status).toBe(200);
    expect(body.images).toEqual([expect.stringMatching(/^pixel_[a-z0-9]{10}\.png$/)]);
  });

  it('refuses a plain name the record does not have', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/collections/docs/records',
      headers: { authorization: token },
      payload: { one: '../../etc/passwd' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ data: { one: { code: 'validation_invalid_file' } } });
  });

  it('rolls back stored files when a batch fails', async () => {
    const form = new FormData();
    form.append(
      '@jsonPayload',
      JSON.stringify({
        requests: [
          { method: 'POST', url: '/api/collections/docs/records', body: { title: 'ok' } },
          { method: 'POST', url: '/api/collections/docs/records', body: { title: 'fails', one: 'nope.txt' } },
        ],
      }),
    );
    form.append('requests.0.many', file('m', 'mmm.txt'));
    const failed = await send('POST', '/api/batch', form);
    expect(failed.status).toBe(400);
    expect(await storedFiles()).toEqual([]);

    const ok = new FormData();
    ok.append(
      '@jsonPayload',
      JSON.stringify({ requests: [{ method: 'POST', url: '/api/collections/docs/records', body: { title: 'ok' } }] }),
    );
    ok.append('requests.0.many', file('m', 'mmm.txt'));
    const done = await send('POST', '/api/batch', ok);
    expect(done.status).toBe(200);
    const [result] = done.body as unknown as { body: { id: string; many: string[] } }[];
    expect(result?.body.many).toEqual([expect.stringMatching(/^mmm_/)]);
    expect(await storedFiles()).toEqual([`${docsId}/${result?.body.id}/${result?.body.many[0]}`]);
  });
});

describe('body limits (PocketBase: the base plus what the fields may weigh)', () => {
  const MiB = 1024 * 1024;
  beforeAll(async () => {
    const { collection } = normalizeCollection({
      name: 'sized',
      createRule: '',
      fields: [{ name: 'doc', type: 'file', maxSelect: 1, maxSize: 2 * MiB }],
    });
    await app.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
  });
  afterAll(async () => {
    await app.inject({ method: 'DELETE', url: '/api/collections/sized/truncate', headers: { authorization: token } });
    await eventually(async () => expect(await storedFiles()).toEqual([]));
  });
  const upload = (size: number) => {
    const form = new FormData();
    form.append('doc', file(Buffer.alloc(size, 1), 'big.bin'));
    return form;
  };

  it('lets a record body pass the base limit by the file field maxSize × maxSelect', async () => {
    // 1.5 MiB: over the 1 MiB base, within 1 MiB + 2 MiB.
    const created = await send('POST', '/api/collections/sized/records', upload(1.5 * MiB));
    expect(created.status).toBe(200);
    const updated = await send('PATCH', `/api/collections/sized/records/${created.body.id}`, upload(1.5 * MiB));
    expect(updated.status).toBe(200);
  });

  it('answers 413 past that, and a file over maxSize is the field error, cut off as it streams', async () => {
    const before = await storedFiles();
    // Two files under maxSize, 3.8 MiB together: over the 3 MiB body limit.
    const twice = upload(1.9 * MiB);
    twice.append('doc', file(Buffer.alloc(1.9 * MiB, 2), 'second.bin'));
    const tooBig = await send('POST', '/api/collections/sized/records', twice);
    expect(tooBig).toMatchObject({ status: 413, body: { status: 413 } });
    // (A declared length over the body limit is a 413 before any reading, as PocketBase.)
    expect((await send('POST', '/api/collections/sized/records', upload(50 * MiB))).status).toBe(413);
    for (const size of [2.5 * MiB]) {
      const overField = await send('POST', '/api/collections/sized/records', upload(size));
      expect(overField).toMatchObject({
        status: 400,
        body: {
          message: 'Failed to create record.',
          data: { doc: { code: 'validation_file_size_limit', params: { file: 'big.bin', maxSize: 2 * MiB } } },
        },
      });
    }
    expect(await storedFiles()).toEqual(before);
  });

  it('limits a batch by settings.batch.maxBodySize (128 MiB when 0), not the base', async () => {
    const batch = () => {
      const form = upload(0);
      form.delete('doc');
      form.append(
        '@jsonPayload',
        JSON.stringify({ requests: [{ method: 'POST', url: '/api/collections/sized/records', body: {} }] }),
      );
      form.append('requests.0.doc', file(Buffer.alloc(1.5 * MiB, 1), 'b.bin'));
      return form;
    };
    expect((await send('POST', '/api/batch', batch())).status).toBe(200);
    const settings = app.get(SettingsService);
    await settings.update({ batch: { ...settings.get().batch, maxBodySize: MiB } });
    try {
      expect((await send('POST', '/api/batch', batch())).status).toBe(413);
    } finally {
      await settings.update({ batch: { ...settings.get().batch, maxBodySize: 0 } });
    }
  });
});

describe('record files on S3 (settings.s3)', () => {
  let s3: S3rver;
  let s3Dir: string;
  const s3Settings = {
    bucket: 'hb-files',
    region: 'us-east-1',
    accessKey: 'S3RVER',
    secret: 'S3RVER',
    forcePathStyle: true,
  };

  beforeAll(async () => {
    s3Dir = await mkdtemp(join(tmpdir(), 'hb-s3rver-'));
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: s3Dir,
      configureBuckets: [
        { name: 'hb-files', configs: [] },
        { name: 'hb-backups', configs: [] },
      ],
    });
    const { port } = await s3.run();
    await app
      .get(SettingsService)
      .update({ s3: { ...s3Settings, enabled: true, endpoint: `http://127.0.0.1:${port}` } });
  });

  afterAll(async () => {
    await app.get(SettingsService).update({ s3: { enabled: false } });
    await s3?.close();
    await rm(s3Dir, { recursive: true, force: true });
  });

  it('stores uploads in the bucket while enabled, and deletes them with the record', async () => {
    const endpoint = app.get(SettingsService).get().s3.endpoint;
    const bucket = new S3StorageDriver({ ...s3Settings, endpoint });
    const form = new FormData();
    form.append('one', file('on s3', 'remote.txt'));
    const created = await send('POST', '/api/collections/docs/records', form);
    expect(created.status).toBe(200);
    const key = `${docsId}/${created.body.id}/${created.body.one}`;
    expect(await bucket.list(`${docsId}/`)).toEqual([key]);
    expect(await storedFiles()).toEqual([]);
    const removed = await app.inject({
      method: 'DELETE',
      url: `/api/collections/docs/records/${created.body.id}`,
      headers: { authorization: token },
    });
    expect(removed.statusCode).toBe(204);
    await eventually(async () => expect(await bucket.list(`${docsId}/`)).toEqual([]));
  });

  it('stores in S3 from the environment (S3_ENABLED …), whatever settings.s3 says', async () => {
    const { endpoint } = app.get(SettingsService).get().s3;
    const env = {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
      HB_STORAGE_DIR: storageDir,
      S3_ENABLED: 'true',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: 'hb-files',
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET: 'S3RVER',
      S3_REGION: 'us-east-1',
    };
    const { S3_BUCKET: _bucket, ...incomplete } = env;
    expect(() => s3FromEnvironment(loadConfig(baseConfigSchema, incomplete))).toThrow(
      /S3_BUCKET: required when S3_ENABLED is true/,
    );
    expect(s3FromEnvironment(loadConfig(baseConfigSchema, { ...env, S3_ENABLED: 'false' }))).toBeNull();

    const fromEnv = await createServiceApp(
      's3-env-test',
      CollectionsModule,
      requireDatabaseUrl(loadConfig(baseConfigSchema, env)),
    );
    try {
      await fromEnv.init();
      await fromEnv.getHttpAdapter().getInstance().ready();
      // The settings point elsewhere (S3 off): the environment wins.
      await fromEnv.get(SettingsService).update({ s3: { enabled: false } });
      const form = new FormData();
      form.append('one', file('from env', 'env.txt'));
      const response = await fromEnv.inject({
        method: 'POST',
        url: '/api/collections/docs/records',
        ...(await multipart(form)),
      });
      expect(response.statusCode).toBe(200);
      const created = response.json<Json>();
      const bucket = new S3StorageDriver({ ...s3Settings, endpoint });
      expect(await bucket.list(`${docsId}/${created.id}/`)).toEqual([`${docsId}/${created.id}/${created.one}`]);
      expect(await storedFiles()).toEqual([]);
    } finally {
      await fromEnv.get(SettingsService).update({ s3: { ...s3Settings, enabled: true, endpoint } });
      await fromEnv.close();
    }
  });

  it('answers POST /api/settings/test/s3 as PocketBase', async () => {
    const test = async (body: Json) => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/settings/test/s3',
        headers: { authorization: token },
        payload: body,
      });
      return { status: response.statusCode, body: response.body === '' ? null : (response.json() as Json) };
    };
    expect(await test({ filesystem: 'storage' })).toEqual({ status: 204, body: null });
    expect(await test({ filesystem: 'elsewhere' })).toMatchObject({
      status: 400,
      body: { data: { filesystem: { code: 'validation_in_invalid' } } },
    });
    expect(await test({})).toMatchObject({
      status: 400,
      body: { data: { filesystem: { code: 'validation_required' } } },
    });
    const disabled = await test({ filesystem: 'backups' });
    expect(disabled).toMatchObject({ status: 400, body: { data: {} } });
    expect(String(disabled.body?.message)).toContain('S3 storage filesystem is not enabled');
  });

  it('tests the backups filesystem with settings.backups.s3, its own bucket, apart from storage', async () => {
    const settings = app.get(SettingsService);
    const endpoint = settings.get().s3.endpoint;
    const test = async (body: unknown, raw = false) => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/settings/test/s3',
        headers: { authorization: token, 'content-type': 'application/json' },
        payload: raw ? String(body) : JSON.stringify(body),
      });
      return { status: response.statusCode, body: response.body === '' ? null : (response.json() as Json) };
    };
    const backupsS3 = { ...s3Settings, bucket: 'hb-backups', enabled: true, endpoint };
    try {
      await settings.update({ backups: { s3: backupsS3 } });
      expect(await test({ filesystem: 'backups' })).toEqual({ status: 204, body: null });
      // The test file went up to the backups bucket and away again; storage's bucket was not touched.
      expect(await new S3StorageDriver(backupsS3).list('')).toEqual([]);
      expect(await test({ filesystem: 'storage' })).toEqual({ status: 204, body: null });

      // A bucket that does not exist: PocketBase's 400 with the raw error, whatever storage's state.
      await settings.update({ backups: { s3: { bucket: 'no-such-bucket' } } });
      const missing = await test({ filesystem: 'backups' });
      expect(missing).toMatchObject({ status: 400, body: { status: 400, data: {} } });
      expect(String(missing.body?.message)).toMatch(/^Failed to test the S3 filesystem\. Raw error: \n./);
      expect(await test({ filesystem: 'storage' })).toEqual({ status: 204, body: null });

      // Hostile bodies: a 400 in PocketBase's shape, never a 500.
      for (const body of [{ filesystem: 42 }, { filesystem: ['backups'] }, { filesystem: '../backups' }, ['backups']]) {
        expect(await test(body)).toMatchObject({ status: 400, body: { status: 400 } });
      }
      expect(await test('{"filesystem": "backups"', true)).toMatchObject({ status: 400, body: { status: 400 } });
    } finally {
      await settings.update({ backups: { s3: { enabled: false } } });
    }
  });
});
