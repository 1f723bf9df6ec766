import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStorageDriver } from './local-storage-driver';
import { recordFileKey, recordPrefix, thumbKey } from './object-keys';
import { S3StorageDriver } from './s3-storage-driver';
import { mimeTypeAllowed, sniffContentType } from './sniff-content-type';
import type { StorageDriver } from './storage-driver';
import { storedFileName } from './stored-file-name';

const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

describe('object keys', () => {
  it('builds PocketBase paths', () => {
    expect(recordFileKey('pbc_1', 'abc', 'a_1234567890.png')).toBe('pbc_1/abc/a_1234567890.png');
    expect(thumbKey('c', 'r', 'a.png', '100x100t')).toBe('c/r/thumbs_a.png/100x100t_a.png');
  });

  it.each([
    ['../x', 'r', 'a.png'],
    ['c', '..', 'a.png'],
    ['c', 'r', '../a.png'],
    ['c', 'r', 'a/b.png'],
    ['c', 'r', '.attrs'],
    ['c', 'r', ''],
    ['c', 'r', 'a\u0000.png'],
  ])('refuses %s/%s/%s', (collection, record, name) => {
    expect(() => recordFileKey(collection, record, name)).toThrow();
  });

  it('refuses a thumb size outside the pattern', () => {
    expect(() => thumbKey('c', 'r', 'a.png', '../1x1')).toThrow();
  });
});

describe('storedFileName', () => {
  it.each([
    ['Hello World.PNG', /^hello_world_[a-z0-9]{10}\.PNG$/],
    ['archive.tar.gz', /^archive_[a-z0-9]{10}\.tar\.gz$/],
    ['../../etc/passwd', /^passwd_[a-z0-9]{10}$/],
    ['..\\..\\win.ini', /^win_[a-z0-9]{10}\.ini$/],
    ['a.txt', /^a[a-z0-9]{10}_[a-z0-9]{10}\.txt$/],
    ['.htaccess', /^[a-z0-9]{10}_[a-z0-9]{10}\.htaccess$/],
    ['myFileName.js', /^my_file_name_[a-z0-9]{10}\.js$/],
  ])('%s', (original, expected) => {
    expect(storedFileName(original)).toMatch(expected);
  });

  it('takes the sniffed extension when the name has none', () => {
    expect(storedFileName('photo', 'png')).toMatch(/^photo_[a-z0-9]{10}\.png$/);
  });

  it('keeps names short', () => {
    expect(storedFileName(`${'a'.repeat(400)}.${'b'.repeat(40)}`).length).toBeLessThanOrEqual(100 + 11 + 21);
  });
});

describe('sniffContentType', () => {
  it('tells formats by content, not by name', async () => {
    expect((await sniffContentType(PNG_HEAD)).mime).toBe('image/png');
    expect((await sniffContentType(Buffer.from('<svg xmlns="x"><script>1</script></svg>'))).mime).toBe('image/svg+xml');
    expect((await sniffContentType(Buffer.from('<!DOCTYPE html><p>x'))).mime).toMatch(/^text\/html/);
    expect((await sniffContentType(Buffer.from('hello'))).mime).toMatch(/^text\/plain/);
    expect((await sniffContentType(Buffer.from([0, 1, 2, 3, 255, 254]))).mime).toBe('application/octet-stream');
  });

  it('compares allowed types without parameters', () => {
    expect(mimeTypeAllowed('text/plain; charset=utf-8', ['text/plain'])).toBe(true);
    expect(mimeTypeAllowed('image/png', ['image/jpeg'])).toBe(false);
  });
});

const roots: string[] = [];
afterAll(async () => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));
const tempDir = async () => {
  const root = await mkdtemp(join(tmpdir(), 'hb-storage-'));
  roots.push(root);
  return root;
};

let s3: S3rver | undefined;
let s3Endpoint = '';
beforeAll(async () => {
  // A real S3-protocol server on loopback.
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: await tempDir(),
    configureBuckets: [{ name: 'hb-test', configs: [] }],
  });
  const { port } = await s3.run();
  s3Endpoint = `http://127.0.0.1:${port}`;
});
afterAll(async () => s3?.close());

const drivers: [string, () => Promise<StorageDriver>][] = [
  ['local', async () => new LocalStorageDriver(await tempDir())],
  [
    's3',
    async () =>
      new S3StorageDriver({
        bucket: 'hb-test',
        region: 'us-east-1',
        endpoint: s3Endpoint,
        accessKey: 'S3RVER',
        secret: 'S3RVER',
        forcePathStyle: true,
      }),
  ],
];

describe.each(drivers)('%s driver', (name, driver) => {
  it('puts, stats, reads ranges, lists and deletes', async () => {
    const storage = await driver();
    const key = recordFileKey(`c${name}`, 'r1', 'a_1234567890.txt');
    await storage.put(key, Readable.from([Buffer.from('hello world')]), {
      contentType: 'text/plain',
      size: 11,
    });
    expect(await storage.stat(key)).toMatchObject({ size: 11, contentType: 'text/plain' });
    const whole = await storage.get(key);
    expect(await text(whole?.body ?? Readable.from([]))).toBe('hello world');
    const ranged = await storage.get(key, { start: 6, end: 10 });
    expect(await text(ranged?.body ?? Readable.from([]))).toBe('world');
    await storage.put(thumbKey(`c${name}`, 'r1', 'a_1234567890.txt', '10x10'), Readable.from([Buffer.from('t')]), {
      contentType: 'image/png',
      size: 1,
    });
    expect(await storage.list(`c${name}/`)).toEqual([
      `c${name}/r1/a_1234567890.txt`,
      `c${name}/r1/thumbs_a_1234567890.txt/10x10_a_1234567890.txt`,
    ]);
    await storage.delete(key);
    expect(await storage.stat(key)).toBeNull();
    expect(await storage.get(key)).toBeNull();
    await storage.delete(key); // idempotent
    await storage.deletePrefix(recordPrefix(`c${name}`, 'r1'));
    expect(await storage.list(`c${name}/`)).toEqual([]);
  });

  it('leaves nothing when the stream fails', async () => {
    const storage = await driver();
    const failing = new Readable({
      read() {
        this.destroy(new Error('client went away'));
      },
    });
    await expect(storage.put(`f${name}/r/x_1234567890.bin`, failing, { contentType: 'x', size: 10 })).rejects.toThrow();
    expect(await storage.list(`f${name}/`)).toEqual([]);
  });
});

describe('LocalStorageDriver', () => {
  it('refuses keys that climb out of the root', async () => {
    const storage = new LocalStorageDriver(await tempDir());
    await expect(storage.stat('../x')).rejects.toThrow();
    await expect(storage.stat('c/../../x')).rejects.toThrow();
  });
});
