import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawZip } from '@hivebase/platform/testing';
import { ClientResponseError, type RecordModel } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootedWithRoot, bootWithRoot, SHAPE_NAMES } from './support/auth-fixture';

const dataDir = mkdtempSync(join(tmpdir(), 'hb-e2e-backups-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

/** The status of a refused SDK call. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ClientResponseError) return error.status;
    throw error;
  }
  return 200;
}

describe.each(SHAPE_NAMES)('backups through the SDK (%s)', (shape) => {
  let booted: BootedWithRoot;
  beforeAll(async () => {
    // Every process of a shape shares these directories (docs/files.md, docs/backups.md); each shape its own.
    process.env.HB_STORAGE_DIR = join(dataDir, shape, 'storage');
    process.env.HB_BACKUPS_DIR = join(dataDir, shape, 'backups');
    booted = await bootWithRoot(shape);
  }, 180_000);
  afterAll(() => booted?.stop());

  const bytesOf = async (record: RecordModel, name: string) => {
    const response = await fetch(booted.root.files.getURL(record, name));
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  };

  const snapshot = async () => {
    const pb = booted.root;
    const records = await pb.collection('notes').getFullList({ sort: 'id' });
    const files = new Map<string, Buffer>();
    for (const record of records) {
      for (const name of record.attachments as string[]) files.set(`${record.id}/${name}`, await bytesOf(record, name));
    }
    return { records, files };
  };

  it('create, change everything, restore: every record and file back byte for byte', async () => {
    const pb = booted.root;
    await pb.collections.create({
      name: 'notes',
      type: 'base',
      listRule: '',
      viewRule: '',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'count', type: 'number' },
        { name: 'data', type: 'json' },
        { name: 'attachments', type: 'file', maxSelect: 3, maxSize: 5_000_000 },
      ],
    });
    for (let i = 0; i < 4; i++) {
      await pb.collection('notes').create({
        title: `note ${i}`,
        count: i,
        data: { i, nested: ['x', i] },
        attachments: [
          new File([randomBytes(20_000 + i)], `blob${i}.bin`),
          new File([`text of note ${i}`], `note${i}.txt`),
        ],
      });
    }
    const before = await snapshot();
    expect(before.files.size).toBe(8);

    await pb.backups.create('e2e.zip');
    const listed = await pb.backups.getFullList();
    expect(listed.map((backup) => backup.key)).toContain('e2e.zip');
    expect(listed.find((backup) => backup.key === 'e2e.zip')?.size).toBeGreaterThan(80_000);

    const [first, second] = before.records;
    await pb.collection('notes').update(first.id, {
      title: 'changed',
      attachments: [new File(['replacement'], 'other.txt')],
    });
    await pb.collection('notes').delete(second.id);
    await pb.collection('notes').create({ title: 'after the backup' });
    await pb.collections.create({ name: 'later', type: 'base', fields: [] });

    await pb.backups.restore('e2e.zip');

    const after = await snapshot();
    expect(after.records).toEqual(before.records);
    expect([...after.files.keys()].sort()).toEqual([...before.files.keys()].sort());
    for (const [key, bytes] of before.files) expect(after.files.get(key)?.equals(bytes), key).toBe(true);
    expect(await statusOf(pb.collections.getOne('later'))).toBe(404);
    const health = await pb.health.check();
    expect(health.data.canBackup).toBe(true);
  });

  it('downloads with a file token and uploads the same bytes back', async () => {
    const pb = booted.root;
    const token = await pb.files.getToken();
    const download = await fetch(pb.backups.getDownloadURL(token, 'e2e.zip'));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain('e2e.zip');
    const bytes = Buffer.from(await download.arrayBuffer());
    expect((await fetch(pb.backups.getDownloadURL('', 'e2e.zip'))).status).toBe(403);

    await pb.backups.upload({ file: new File([bytes], 'copy.zip', { type: 'application/zip' }) });
    const again = await fetch(pb.backups.getDownloadURL(await pb.files.getToken(), 'copy.zip'));
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    await pb.backups.restore('copy.zip');
    expect(await pb.collection('notes').getFullList()).toHaveLength(4);
    await pb.backups.delete('copy.zip');
    expect((await pb.backups.getFullList()).map((backup) => backup.key)).not.toContain('copy.zip');
  });

  it('refuses zip-slip and corrupt archives with a 400, the data untouched', async () => {
    const pb = booted.root;
    const before = await snapshot();
    const slip = rawZip([{ name: '../../../tmp/evil.txt', data: Buffer.from('pwned') }]);
    expect(await statusOf(pb.backups.upload({ file: new File([slip], 'slip.zip') }))).toBe(400);

    const token = await pb.files.getToken();
    const good = Buffer.from(await (await fetch(pb.backups.getDownloadURL(token, 'e2e.zip'))).arrayBuffer());
    const corrupt = Buffer.from(good);
    const middle = Math.floor(corrupt.length / 2);
    for (let at = middle; at < middle + 16; at++) corrupt[at] ^= 0xff; // inside a stored file's bytes
    await pb.backups.upload({ file: new File([corrupt], 'corrupt.zip') });
    expect(await statusOf(pb.backups.restore('corrupt.zip'))).toBe(400);

    const noManifest = rawZip([{ name: 'storage/a/b/c.txt', data: Buffer.from('x') }]);
    await pb.backups.upload({ file: new File([noManifest], 'plain.zip') });
    expect(await statusOf(pb.backups.restore('plain.zip'))).toBe(400);

    const after = await snapshot();
    expect(after.records).toEqual(before.records);
    for (const [key, bytes] of before.files) expect(after.files.get(key)?.equals(bytes), key).toBe(true);
    expect((await pb.health.check()).data.canBackup).toBe(true);
  });
});
