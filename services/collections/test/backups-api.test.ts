import { mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  baseConfigSchema,
  CRON_SCHEDULER,
  type CronHandler,
  type CronJobInfo,
  type CronScheduler,
  loadConfig,
  PG_POOL,
} from '@hivebase/platform';
import { createTestDatabase, rawZip, type TestDatabase } from '@hivebase/platform/testing';
import {
  ACTIVE_BACKUP,
  type ActiveBackup,
  createServiceApp,
  requireDatabaseUrl,
  SchemaRegistry,
  SettingsService,
  signRecordToken,
} from '@hivebase/runtime';
import { type AuthCollection, normalizeCollection, quoteIdent } from '@hivebase/schema';
import { LocalStorageDriver, S3StorageDriver } from '@hivebase/storage';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AutoBackupJob } from '../src/backups/auto-backup.job';
import { BackupsService } from '../src/backups/backups.service';
import { CollectionsModule } from '../src/collections.module';
import { createAuthRecord } from './support/auth-record';
import { readZip } from './support/read-zip';

type Json = Record<string, unknown>;

let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;
let dataDir: string;
let backups: BackupsService;
const tokens = { superuser: '', user: '', superuserFile: '', userFile: '' };

async function fileToken(collectionName: string, id: string): Promise<string> {
  const collection = app.get(SchemaRegistry).find(collectionName) as AuthCollection;
  const { rows } = await pool.query(`SELECT "tokenKey" FROM ${quoteIdent(collection.name)} WHERE id = $1`, [id]);
  return signRecordToken(collection, { id, tokenKey: rows[0].tokenKey }, 'fileToken');
}

async function call(method: string, url: string, options: { token?: string; json?: unknown; form?: FormData } = {}) {
  const headers: Record<string, string> = options.token ? { authorization: options.token } : {};
  let payload: Buffer | string | undefined;
  if (options.form) {
    const request = new Request('http://local', { method: 'POST', body: options.form });
    payload = Buffer.from(await request.arrayBuffer());
    headers['content-type'] = request.headers.get('content-type') ?? '';
  } else if (options.json !== undefined) {
    payload = typeof options.json === 'string' ? options.json : JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  const response = await app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });
  const text = response.body;
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // a zip
  }
  return { status: response.statusCode, body: body as Json, raw: response.rawPayload, headers: response.headers };
}

const keys = async () => (await backups.list()).map((backup) => backup.key).sort();

/** Puts bytes straight into the backups storage (what an upload of any content would leave). */
const putBackup = (key: string, bytes: Buffer) =>
  backups.storage.put(key, Readable.from([bytes]), { contentType: 'application/zip', size: bytes.length });

const zipFile = (bytes: Buffer, name: string) => new File([bytes], name, { type: 'application/zip' });

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'hb-backups-api-'));
  const config = requireDatabaseUrl(
    loadConfig(baseConfigSchema, { DATABASE_URL: database.url, LOG_LEVEL: 'silent', HB_DIR: dataDir }),
  );
  app = await createServiceApp('backups-api-test', CollectionsModule, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  pool = app.get<Pool>(PG_POOL);
  backups = app.get(BackupsService);
  const root = await createAuthRecord(app, '_superusers', 'root@example.com');
  const alice = await createAuthRecord(app, 'users', 'alice@example.com');
  tokens.superuser = root.token;
  tokens.user = alice.token;
  tokens.superuserFile = await fileToken('_superusers', root.id);
  tokens.userFile = await fileToken('users', alice.id);
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('access (PocketBase apis/backup_test.go)', () => {
  const guarded: [string, string][] = [
    ['GET', '/api/backups'],
    ['POST', '/api/backups'],
    ['POST', '/api/backups/upload'],
    ['DELETE', '/api/backups/test1.zip'],
    ['POST', '/api/backups/test1.zip/restore'],
  ];
  it.each(guarded)('%s %s: guest 401, regular user 403, nothing created', async (method, url) => {
    const guest = await call(method, url);
    expect(guest.status).toBe(401);
    expect(guest.body.data).toEqual({});
    const user = await call(method, url, { token: tokens.user });
    expect(user.status).toBe(403);
    expect(user.body.data).toEqual({});
    expect(await keys()).toEqual([]);
  });

  it('downloads only with a superuser file token from an allowed address', async () => {
    await backups.createNamed('test1.zip');
    await backups.createNamed('@test4.zip');
    const forbidden = [
      '/api/backups/test1.zip',
      '/api/backups/test1.zip?token=',
      `/api/backups/test1.zip?token=${tokens.user}`,
      `/api/backups/test1.zip?token=${tokens.userFile}`,
      `/api/backups/test1.zip?token=${tokens.superuser}`,
      '/api/backups/test1.zip?token=not.a.jwt',
    ];
    for (const url of forbidden) {
      const answer = await call('GET', url);
      expect(answer.status, url).toBe(403);
      expect(answer.body).toEqual({
        data: {},
        message: 'Insufficient permissions to access the resource.',
        status: 403,
      });
    }
    // A superuser's Authorization header is not a token for the download.
    expect((await call('GET', '/api/backups/test1.zip', { token: tokens.superuser })).status).toBe(403);

    const missing = await call('GET', `/api/backups/missing?token=${tokens.superuserFile}`);
    expect(missing.status).toBe(404);
    expect(missing.body.data).toEqual({});
    expect((await call('GET', `/api/backups/..%2F..%2Fetc?token=${tokens.superuserFile}`)).status).toBe(404);

    for (const key of ['test1.zip', '@test4.zip']) {
      const ok = await call('GET', `/api/backups/${encodeURIComponent(key)}?token=${tokens.superuserFile}`);
      expect(ok.status).toBe(200);
      expect(ok.headers['content-disposition']).toContain('attachment');
      expect(ok.headers['content-disposition']).toContain(key);
      const names = (await readZip(ok.raw)).map((entry) => entry.name);
      expect(names).toContain('manifest.json');
      expect(names.some((name) => name.startsWith('db/'))).toBe(true);
      const stored = await backups.download(key);
      expect(ok.raw.length).toBe(stored.object.size);
      stored.body.destroy();
    }

    await call('PATCH', '/api/settings', { token: tokens.superuser, json: { superuserIPs: ['10.9.8.7'] } });
    try {
      const blocked = await call('GET', `/api/backups/test1.zip?token=${tokens.superuserFile}`);
      expect(blocked.status).toBe(403);
    } finally {
      await app.get(SettingsService).update({ superuserIPs: [] });
    }
    expect((await call('GET', `/api/backups/test1.zip?token=${tokens.superuserFile}`)).status).toBe(200);
  });
});

describe('list, create, delete', () => {
  it('lists {key, size, modified} and creates with a valid or generated name', async () => {
    for (const key of await keys()) await backups.storage.delete(key);
    expect((await call('GET', '/api/backups', { token: tokens.superuser })).body).toEqual([]);

    const invalid = await call('POST', '/api/backups', { token: tokens.superuser, json: { name: '!test.zip' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.data).toEqual({
      name: { code: 'validation_match_invalid', message: 'Must be in a valid format.' },
    });
    const long = await call('POST', '/api/backups', {
      token: tokens.superuser,
      json: { name: `${'a'.repeat(150)}.zip` },
    });
    expect((long.body.data as Json).name).toMatchObject({ code: 'validation_length_out_of_range' });
    for (const bad of ['[1]', '{"name": 5}', '{not json']) {
      const answer = await call('POST', '/api/backups', { token: tokens.superuser, json: bad });
      expect(answer.status, bad).toBe(400);
    }
    expect(await keys()).toEqual([]);

    expect((await call('POST', '/api/backups', { token: tokens.superuser, json: { name: 'test.zip' } })).status).toBe(
      204,
    );
    const again = await call('POST', '/api/backups', { token: tokens.superuser, json: { name: 'test.zip' } });
    expect((again.body.data as Json).name).toMatchObject({ code: 'validation_backup_name_exists' });
    expect((await call('POST', '/api/backups', { token: tokens.superuser })).status).toBe(204);

    const listed = (await call('GET', '/api/backups', { token: tokens.superuser })).body as unknown as Json[];
    expect(listed).toHaveLength(2);
    expect(listed.map((item) => Object.keys(item).sort())).toEqual([
      ['key', 'modified', 'size'],
      ['key', 'modified', 'size'],
    ]);
    expect(listed.map((item) => item.key)).toEqual([expect.stringMatching(/^pb_backup_acme_\d{14}\.zip$/), 'test.zip']);
    for (const item of listed) {
      expect(item.size).toBeGreaterThan(100);
      expect(item.modified).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('refuses a second backup or restore while one runs (on any replica: the shared lock)', async () => {
    const lock = await app.get<ActiveBackup>(ACTIVE_BACKUP).acquire('held.zip');
    expect(lock).not.toBeNull();
    try {
      const create = await call('POST', '/api/backups', { token: tokens.superuser });
      expect(create.status).toBe(400);
      expect(create.body.message).toBe('Try again later - another backup/restore process has already been started');
      const restore = await call('POST', '/api/backups/test.zip/restore', { token: tokens.superuser });
      expect(restore.status).toBe(400);
      expect(restore.body.message).toBe('Try again later - another backup/restore process has already been started.');
      const health = await call('GET', '/api/health', { token: tokens.superuser });
      expect((health.body.data as Json).canBackup).toBe(false);
      await putBackup('held.zip', rawZip([]));
      const del = await call('DELETE', '/api/backups/held.zip', { token: tokens.superuser });
      expect(del.status).toBe(400);
      expect(del.body.message).toBe('The backup is currently being used and cannot be deleted.');
    } finally {
      await lock?.release();
    }
    expect(((await call('GET', '/api/health', { token: tokens.superuser })).body.data as Json).canBackup).toBe(true);
  });

  it('deletes an existing backup (escaped names too); a missing one is a 400', async () => {
    await putBackup('@test5.zip', rawZip([]));
    expect((await call('DELETE', '/api/backups/%40test5.zip', { token: tokens.superuser })).status).toBe(204);
    expect(await keys()).not.toContain('@test5.zip');
    const missing = await call('DELETE', '/api/backups/missing.zip', { token: tokens.superuser });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/^Invalid or already deleted backup file\./);
    const traversal = await call('DELETE', '/api/backups/..%2Fstorage', { token: tokens.superuser });
    expect(traversal.status).toBe(400);
  });
});

/** Keeps what is registered (the real scheduler is another module's; this test is about what goes in). */
class RecordingScheduler implements CronScheduler {
  readonly jobs = new Map<string, { expression: string; handler: CronHandler }>();
  add(id: string, expression: string, handler: CronHandler): void {
    this.jobs.set(id, { expression, handler });
  }
  remove(id: string): boolean {
    return this.jobs.delete(id);
  }
  has(id: string): boolean {
    return this.jobs.has(id);
  }
  list(): CronJobInfo[] {
    return [...this.jobs].map(([id, { expression }]) => ({ id, expression }));
  }
  async run(id: string): Promise<void> {
    await this.jobs.get(id)?.handler();
  }
  async start(): Promise<void> {}
  async close(): Promise<void> {}
}

describe('automatic backups', () => {
  it('creates @auto_pb_backup_… and keeps only the newest cronMaxKeep of them', async () => {
    const settings = app.get(SettingsService);
    await settings.update({ backups: { cronMaxKeep: 2 } });
    for (const [i, key] of [
      '@auto_pb_backup_acme_1.zip',
      '@auto_pb_backup_acme_2.zip',
      '@auto_pb_backup_acme_3.zip',
    ].entries()) {
      await putBackup(key, rawZip([]));
      const at = new Date(Date.UTC(2020, 0, 1 + i));
      await utimes(join(dataDir, 'backups', key), at, at);
    }
    await putBackup('manual.zip', rawZip([]));
    await backups.runAutoBackup();
    const left = await keys();
    const autos = left.filter((key) => key.startsWith('@auto_pb_backup_'));
    expect(autos).toHaveLength(2);
    expect(autos).toContain('@auto_pb_backup_acme_3.zip');
    expect(autos.some((key) => /^@auto_pb_backup_acme_\d{14}\.zip$/.test(key))).toBe(true);
    expect(left).toContain('manual.zip');
    await settings.update({ backups: { cronMaxKeep: 3 } });
  });

  it('registers __pbAutoBackup__ with the scheduler as settings.backups.cron says', async () => {
    const scheduler = new RecordingScheduler();
    const jobs = scheduler.jobs;
    const settings = app.get(SettingsService);
    const job = new AutoBackupJob(backups, settings, scheduler);
    job.follow();
    expect(jobs.size).toBe(0);
    await settings.update({ backups: { cron: '0 3 * * *' } });
    job.follow();
    expect(jobs.get('__pbAutoBackup__')?.expression).toBe('0 3 * * *');
    for (const key of await keys()) if (key.startsWith('@auto_')) await backups.storage.delete(key);
    await scheduler.run('__pbAutoBackup__');
    expect((await keys()).filter((key) => key.startsWith('@auto_pb_backup_acme_'))).toHaveLength(1);
    await settings.update({ backups: { cron: '' } });
    job.follow();
    expect(jobs.size).toBe(0);
  });
});

describe("automatic backups on the service's own cron scheduler", () => {
  it('lists __pbAutoBackup__ while settings.backups.cron is set, runs it, and drops it when cleared', async () => {
    const scheduler = app.get<CronScheduler>(CRON_SCHEDULER);
    const job = app.get(AutoBackupJob);
    const settings = app.get(SettingsService);
    expect(scheduler.has('__pbAutoBackup__')).toBe(false);
    await settings.update({ backups: { cron: '@daily' } });
    job.follow();
    expect(scheduler.list()).toContainEqual({ id: '__pbAutoBackup__', expression: '0 0 * * *' });
    for (const key of await keys()) if (key.startsWith('@auto_')) await backups.storage.delete(key);
    await scheduler.run('__pbAutoBackup__');
    expect((await keys()).filter((key) => key.startsWith('@auto_pb_backup_'))).toHaveLength(1);
    await settings.update({ backups: { cron: '' } });
    job.follow();
    expect(scheduler.has('__pbAutoBackup__')).toBe(false);
  });
});

describe('upload', () => {
  it('stores a zip under its name; refuses a missing file, a non-zip, a zip-slip archive and an existing name', async () => {
    const emptyZip = rawZip([]);
    const missing = await call('POST', '/api/backups/upload', { token: tokens.superuser, form: new FormData() });
    expect(missing.status).toBe(400);
    expect((missing.body.data as Json).file).toMatchObject({ code: 'validation_required' });

    const notZip = new FormData();
    notZip.append('file', zipFile(Buffer.from('plain text, not a zip'), 'text.zip'));
    const refused = await call('POST', '/api/backups/upload', { token: tokens.superuser, form: notZip });
    expect(refused.status).toBe(400);
    expect((refused.body.data as Json).file).toMatchObject({ code: 'validation_invalid_mime_type' });

    const slip = new FormData();
    slip.append('file', zipFile(rawZip([{ name: '../../evil.txt', data: Buffer.from('x') }]), 'slip.zip'));
    const slipped = await call('POST', '/api/backups/upload', { token: tokens.superuser, form: slip });
    expect(slipped.status).toBe(400);
    expect((slipped.body.data as Json).file).toMatchObject({ code: 'validation_invalid_backup' });

    const truncated = new FormData();
    truncated.append('file', zipFile(rawZip([{ name: 'a', data: Buffer.alloc(100) }]).subarray(0, 60), 'cut.zip'));
    expect((await call('POST', '/api/backups/upload', { token: tokens.superuser, form: truncated })).status).toBe(400);
    const afterRefusals = await keys();
    for (const name of ['text.zip', 'slip.zip', 'cut.zip']) expect(afterRefusals).not.toContain(name);

    const ok = new FormData();
    ok.append('file', zipFile(emptyZip, 'uploaded'));
    expect((await call('POST', '/api/backups/upload', { token: tokens.superuser, form: ok })).status).toBe(204);
    expect(await keys()).toContain('uploaded');
    const stored = await backups.download('uploaded');
    const chunks: Buffer[] = [];
    for await (const chunk of stored.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(emptyZip)).toBe(true);

    const twice = new FormData();
    twice.append('file', zipFile(emptyZip, 'uploaded'));
    const exists = await call('POST', '/api/backups/upload', { token: tokens.superuser, form: twice });
    expect(exists.status).toBe(400);
    expect((exists.body.data as Json).file).toMatchObject({ code: 'validation_backup_name_exists' });
  });

  it('takes a body past the service body limit (PocketBase: no limit on uploads)', async () => {
    const big = rawZip([{ name: 'storage/a/b/big.bin', data: Buffer.alloc(33 * 1024 * 1024, 7) }]);
    const form = new FormData();
    form.append('file', zipFile(big, 'big.zip'));
    const answer = await call('POST', '/api/backups/upload', { token: tokens.superuser, form });
    expect(answer.status).toBe(204);
    expect((await backups.storage.stat('big.zip'))?.size).toBe(big.length);
    await backups.storage.delete('big.zip');
  });
});

/** Every row of a table, in id order (the exact values Postgres holds). */
const rowsOf = async (table: string) =>
  (await pool.query(`SELECT * FROM ${quoteIdent(table)} ORDER BY 1`)).rows as Json[];

async function storedBytes(collectionId: string, recordId: string, name: string): Promise<Buffer> {
  return readFile(join(dataDir, 'storage', collectionId, recordId, name));
}

describe('create and restore: the whole database and every file, byte for byte', () => {
  it('brings back every field type, view, setting and file, and drops what came after', async () => {
    const registry = app.get(SchemaRegistry);
    const tags = normalizeCollection({ name: 'tags', fields: [{ name: 'label', type: 'text' }] }).collection;
    await registry.apply(() => [{ before: null, after: tags }]);
    const members = normalizeCollection({ name: 'members', type: 'auth', fields: [] }).collection;
    await registry.apply(() => [{ before: null, after: members }]);
    const things = normalizeCollection({
      name: 'things',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'count', type: 'number' },
        { name: 'flag', type: 'bool' },
        { name: 'mail', type: 'email' },
        { name: 'site', type: 'url' },
        { name: 'body', type: 'editor' },
        { name: 'when', type: 'date' },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
        { name: 'color', type: 'select', values: ['red', 'green', 'blue'], maxSelect: 1 },
        { name: 'colors', type: 'select', values: ['red', 'green', 'blue'], maxSelect: 3 },
        { name: 'doc', type: 'file', maxSelect: 1 },
        { name: 'docs', type: 'file', maxSelect: 5 },
        { name: 'tag', type: 'relation', collectionId: tags.id, maxSelect: 1 },
        { name: 'tagList', type: 'relation', collectionId: tags.id, maxSelect: 5 },
        { name: 'meta', type: 'json' },
        { name: 'place', type: 'geoPoint' },
      ],
      indexes: ['CREATE UNIQUE INDEX idx_things_title ON things (title)'],
    }).collection;
    await registry.apply(() => [{ before: null, after: things }]);
    const view = normalizeCollection({
      name: 'thing_titles',
      type: 'view',
      viewQuery: 'SELECT id, title FROM things',
    }).collection;
    await registry.apply(() => [{ before: null, after: view }]);

    const tagIds: string[] = [];
    for (const label of ['a', 'b', "c'quote\ttab\nnewline\\backslash"]) {
      const created = await call('POST', '/api/collections/tags/records', { token: tokens.superuser, json: { label } });
      expect(created.status).toBe(200);
      tagIds.push(String(created.body.id));
    }
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const thingIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const form = new FormData();
      form.append('title', `thing ${i} ünïcödé ✓`);
      form.append('count', String(i * 1.5 - 2));
      form.append('flag', String(i % 2 === 0));
      form.append('mail', `t${i}@example.com`);
      form.append('site', `https://example.com/${i}`);
      form.append('body', `<p>line ${i}</p>`);
      form.append('when', '2024-02-29 12:34:56.789Z');
      form.append('color', 'green');
      form.append('colors', 'red');
      form.append('colors', 'blue');
      form.append('doc', new File([binary], `bin${i}.bin`));
      form.append('docs', new File([`text ${i}`], 'a.txt'));
      form.append('docs', new File([Buffer.from('89504e470d0a1a0a', 'hex')], 'b.png'));
      form.append('tag', tagIds[i]);
      form.append('tagList', tagIds[0]);
      form.append('tagList', tagIds[2]);
      form.append('meta', JSON.stringify({ nested: { list: [1, 'two', null, true] }, i }));
      form.append('place', JSON.stringify({ lon: 12.5 + i, lat: -45.25 }));
      const created = await call('POST', '/api/collections/things/records', { token: tokens.superuser, form });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      thingIds.push(String(created.body.id));
    }
    const member = await call('POST', '/api/collections/members/records', {
      token: tokens.superuser,
      json: { email: 'm@example.com', password: 'secret-pass-1', passwordConfirm: 'secret-pass-1' },
    });
    expect(member.status).toBe(200);
    await call('PATCH', '/api/settings', { token: tokens.superuser, json: { meta: { appName: 'Backed Up' } } });

    const before = {
      things: await rowsOf('things'),
      tags: await rowsOf('tags'),
      members: await rowsOf('members'),
      superusers: await rowsOf('_superusers'),
      collections: await rowsOf('_collections'),
      view: await rowsOf('thing_titles'),
      settings: (await call('GET', '/api/settings', { token: tokens.superuser })).body,
    };
    const files = new Map<string, Buffer>();
    for (const row of before.things) {
      for (const name of [row.doc as string, ...(row.docs as string[])]) {
        files.set(`${row.id}/${name}`, await storedBytes(things.id, String(row.id), name));
      }
    }
    expect(files.size).toBe(9);

    expect((await call('POST', '/api/backups', { token: tokens.superuser, json: { name: 'full.zip' } })).status).toBe(
      204,
    );

    // Change everything: records, files, schema, settings, superusers.
    await call('PATCH', `/api/collections/things/records/${thingIds[0]}`, {
      token: tokens.superuser,
      json: { title: 'changed', 'docs-': (before.things[0].docs as string[])[0] },
    });
    await call('DELETE', `/api/collections/things/records/${thingIds[1]}`, { token: tokens.superuser });
    await call('DELETE', `/api/collections/tags/records/${tagIds[1]}`, { token: tokens.superuser });
    const extra = normalizeCollection({ name: 'extra', fields: [{ name: 'x', type: 'text' }] }).collection;
    await registry.apply(() => [{ before: null, after: extra }]);
    await call('PATCH', '/api/settings', { token: tokens.superuser, json: { meta: { appName: 'Changed' } } });
    const lateForm = new FormData();
    lateForm.append('title', 'late');
    lateForm.append('doc', new File(['late file'], 'late.txt'));
    const late = await call('POST', '/api/collections/things/records', { token: tokens.superuser, form: lateForm });
    expect(late.status).toBe(200);
    const lateFile = join(dataDir, 'storage', things.id, String(late.body.id), String(late.body.doc));
    await expect(readFile(lateFile)).resolves.toBeDefined();

    const restored = await call('POST', '/api/backups/full.zip/restore', { token: tokens.superuser });
    expect(restored.status, JSON.stringify(restored.body)).toBe(204);

    expect(await rowsOf('things')).toEqual(before.things);
    expect(await rowsOf('tags')).toEqual(before.tags);
    expect(await rowsOf('members')).toEqual(before.members);
    expect(await rowsOf('_superusers')).toEqual(before.superusers);
    expect(await rowsOf('_collections')).toEqual(before.collections);
    expect(await rowsOf('thing_titles')).toEqual(before.view);
    for (const [path, bytes] of files) {
      const [id, name] = path.split('/');
      expect((await storedBytes(things.id, id, name)).equals(bytes), path).toBe(true);
    }
    // Files only the replaced data had are gone.
    await expect(readFile(lateFile)).rejects.toThrow();
    // Every cache followed: the schema (no `extra`), the settings, the API.
    expect((await call('GET', '/api/collections/extra', { token: tokens.superuser })).status).toBe(404);
    expect((await call('GET', '/api/settings', { token: tokens.superuser })).body).toEqual(before.settings);
    const listed = await call('GET', '/api/collections/things/records?sort=title', { token: tokens.superuser });
    expect((listed.body.items as Json[]).map((item) => item.title)).toEqual(before.things.map((r) => r.title).sort());
    // Sequences carried on: a new record gets a fresh @rowid, the unique index still holds.
    const next = await call('POST', '/api/collections/things/records', {
      token: tokens.superuser,
      json: { title: 'n' },
    });
    expect(next.status).toBe(200);
    const dup = await call('POST', '/api/collections/things/records', {
      token: tokens.superuser,
      json: { title: 'n' },
    });
    expect(dup.status).toBe(400);
    const indexes = await pool.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'things'`);
    expect(indexes.rows.map((row) => row.indexname)).toContain('idx_things_title');
  });
});

describe('hostile archives: 400, nothing touched', () => {
  const manifestOf = async (key: string) => {
    const found = await backups.download(key);
    const chunks: Buffer[] = [];
    for await (const chunk of found.body) chunks.push(chunk as Buffer);
    return readZip(Buffer.concat(chunks));
  };

  it.each([
    ['not a zip', () => Buffer.from('definitely not a zip file')],
    ['a truncated zip', () => rawZip([{ name: 'manifest.json', data: Buffer.from('{}') }]).subarray(0, 40)],
    ['a zip without manifest', () => rawZip([{ name: 'db/0.copy', data: Buffer.from('x\n') }])],
    ['a zip-slip name', () => rawZip([{ name: 'storage/../../etc/passwd', data: Buffer.from('x') }])],
    ['an absolute name', () => rawZip([{ name: '/etc/passwd', data: Buffer.from('x') }])],
    ['a backslash name', () => rawZip([{ name: 'storage\\..\\x', data: Buffer.from('x') }])],
    ['a dot-part key', () => rawZip([{ name: 'storage/a/.attrs/x.json', data: Buffer.from('x') }])],
    ['a huge entry name', () => rawZip([{ name: `storage/${'a'.repeat(5000)}`, data: Buffer.from('x') }])],
    ['a manifest that is not JSON', () => rawZip([{ name: 'manifest.json', data: Buffer.from('{nope') }])],
    ['a foreign manifest', () => rawZip([{ name: 'manifest.json', data: Buffer.from('{"format":"other"}') }])],
  ])('%s', async (_label, build) => {
    const key = `hostile-${Math.random().toString(36).slice(2)}.zip`;
    await putBackup(key, build());
    const before = await rowsOf('_collections');
    const answer = await call('POST', `/api/backups/${key}/restore`, { token: tokens.superuser });
    expect(answer.status).toBe(400);
    expect(answer.body.data).toEqual({});
    expect(await rowsOf('_collections')).toEqual(before);
    expect(((await call('GET', '/api/health', { token: tokens.superuser })).body.data as Json).canBackup).toBe(true);
  });

  it('a corrupt entry (checksum), a missing table file, or rows Postgres refuses leave the data whole', async () => {
    await backups.createNamed('base.zip');
    const entries = await manifestOf('base.zip');
    const manifest = JSON.parse(String(entries.find((e) => e.name === 'manifest.json')?.data)) as Json;
    const tables = manifest.tables as Json[];
    const things = tables.find((t) => t.name === 'things') as Json;
    const variants: [string, () => Buffer][] = [
      ['checksum', () => rawZip(entries.map((e) => (e.name === things.data ? { ...e, crc: 12345 } : e)))],
      ['missing rows entry', () => rawZip(entries.filter((e) => e.name !== things.data))],
      [
        'row count',
        () =>
          rawZip(
            entries.map((e) =>
              e.name === 'manifest.json'
                ? {
                    name: e.name,
                    data: Buffer.from(
                      JSON.stringify({
                        ...manifest,
                        tables: tables.map((t) => (t === things ? { ...t, rows: Number(t.rows) + 1 } : t)),
                      }),
                    ),
                  }
                : e,
            ),
          ),
      ],
      [
        'a second statement smuggled into an index definition',
        () =>
          rawZip(
            entries.map((e) =>
              e.name === 'manifest.json'
                ? {
                    name: e.name,
                    data: Buffer.from(
                      JSON.stringify({
                        ...manifest,
                        indexes: [
                          ...(manifest.indexes as Json[]),
                          { table: 'things', name: 'x', definition: 'CREATE INDEX x ON things (id); DROP TABLE tags' },
                        ],
                      }),
                    ),
                  }
                : e,
            ),
          ),
      ],
      [
        'bad rows',
        () =>
          rawZip(
            entries.map((e) => (e.name === things.data ? { name: e.name, data: Buffer.from('garbage\tin\n') } : e)),
          ),
      ],
    ];
    await pool.query(`UPDATE things SET title = title || ' (after the backup)'`);
    const before = {
      things: await rowsOf('things'),
      tags: await rowsOf('tags'),
      collections: await rowsOf('_collections'),
    };
    for (const [label, build] of variants) {
      const key = `bad-${label.replace(/ /g, '-')}.zip`;
      await putBackup(key, build());
      const answer = await call('POST', `/api/backups/${key}/restore`, { token: tokens.superuser });
      expect(answer.status, label).toBe(400);
      expect(await rowsOf('things'), label).toEqual(before.things);
      expect(await rowsOf('tags'), label).toEqual(before.tags);
      expect(await rowsOf('_collections'), label).toEqual(before.collections);
    }
    const missing = await call('POST', '/api/backups/nothing.zip/restore', { token: tokens.superuser });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('Missing or invalid backup file.');
  });
});

describe('backups on S3 (settings.backups.s3), record files on S3 too', () => {
  let s3: S3rver;
  let s3Dir: string;
  const s3Settings = {
    region: 'us-east-1',
    accessKey: 'S3RVER',
    secret: 'S3RVER',
    forcePathStyle: true,
    enabled: true,
    endpoint: '',
  };

  beforeAll(async () => {
    s3Dir = await mkdtemp(join(tmpdir(), 'hb-backups-s3rver-'));
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
    s3Settings.endpoint = `http://127.0.0.1:${port}`;
    await app.get(SettingsService).update({
      s3: { ...s3Settings, bucket: 'hb-files' },
      backups: { s3: { ...s3Settings, bucket: 'hb-backups' } },
    });
  });

  afterAll(async () => {
    await app.get(SettingsService).update({ s3: { enabled: false }, backups: { s3: { enabled: false } } });
    await s3?.close();
    if (s3Dir) await rm(s3Dir, { recursive: true, force: true });
  });

  it('stores the zip in the backups bucket and restores records and their S3 files', async () => {
    const localBefore = await new LocalStorageDriver(join(dataDir, 'backups')).list('');
    const form = new FormData();
    form.append('title', 'on s3');
    form.append('doc', new File([Buffer.from('bytes kept in S3')], 's3.txt'));
    const created = await call('POST', '/api/collections/things/records', { token: tokens.superuser, form });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const fileKey = `${created.body.collectionId}/${created.body.id}/${created.body.doc}`;
    const files = new S3StorageDriver({ ...s3Settings, bucket: 'hb-files' });
    const bucket = new S3StorageDriver({ ...s3Settings, bucket: 'hb-backups' });

    expect((await call('POST', '/api/backups', { token: tokens.superuser, json: { name: 's3.zip' } })).status).toBe(
      204,
    );
    expect(await bucket.list('')).toEqual(['s3.zip']);
    expect(await new LocalStorageDriver(join(dataDir, 'backups')).list('')).toEqual(localBefore);
    expect(
      ((await call('GET', '/api/backups', { token: tokens.superuser })).body as unknown as Json[]).map((b) => b.key),
    ).toEqual(['s3.zip']);
    const download = await call('GET', `/api/backups/s3.zip?token=${tokens.superuserFile}`);
    expect(download.status).toBe(200);
    expect((await readZip(download.raw)).map((entry) => entry.name)).toContain(`storage/${fileKey}`);

    await call('DELETE', `/api/collections/things/records/${created.body.id}`, { token: tokens.superuser });
    await vi.waitFor(async () => expect(await files.stat(fileKey)).toBeNull(), { timeout: 10_000, interval: 50 });

    expect((await call('POST', '/api/backups/s3.zip/restore', { token: tokens.superuser })).status).toBe(204);
    const back = await call('GET', `/api/collections/things/records/${created.body.id}`, { token: tokens.superuser });
    expect(back.body.title).toBe('on s3');
    const stored = await files.get(fileKey);
    const chunks: Buffer[] = [];
    for await (const chunk of stored?.body ?? []) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('bytes kept in S3');
  });
});
