import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootedWithRoot, bootWithRoot, SHAPE_NAMES } from './support/auth-fixture';

type Doc = { id: string; one: string; many: string[]; secret: string };
type DocView = { id: string; collectionId: string; collectionName: string; attachment: string; files: string[] };

// Every process of a shape reads and writes this directory (docs/files.md).
const storageDir = mkdtempSync(join(tmpdir(), 'hb-e2e-view-files-'));
process.env.HB_STORAGE_DIR = storageDir;
afterAll(() => rm(storageDir, { recursive: true, force: true }));

describe.each(SHAPE_NAMES)("view collections' files through the SDK (%s)", (shape) => {
  let booted: BootedWithRoot;
  let guest: PocketBase;

  const download = async (url: string) => {
    const response = await fetch(url);
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
  };

  beforeAll(async () => {
    booted = await bootWithRoot(shape);
    guest = new PocketBase(booted.running.baseUrl);
    const { root } = booted;
    await root.collections.create({
      name: 'docs',
      type: 'base',
      fields: [
        { name: 'one', type: 'file', maxSelect: 1 },
        { name: 'many', type: 'file', maxSelect: 3 },
        { name: 'secret', type: 'file', maxSelect: 1, protected: true },
      ],
    });
    // Guests may read the view, not its source collection (superusers only).
    await root.collections.create({
      name: 'docs_view',
      type: 'view',
      listRule: '',
      viewRule: '',
      viewQuery: 'SELECT id, one AS attachment, many AS files FROM docs',
    });
    await root.collections.create({
      name: 'docs_private',
      type: 'view',
      viewRule: '@request.auth.id != ""',
      viewQuery: 'SELECT id, secret FROM docs',
    });
    await root.collections.create({
      name: 'docs_nested',
      type: 'view',
      listRule: '',
      viewRule: '',
      viewQuery: 'SELECT id, files FROM docs_view',
    });
  }, 120_000);

  afterAll(() => booted?.stop());

  it("getURL of a view record's file serves the exact bytes of the source record's file", async () => {
    const one = randomBytes(3000);
    const many = [randomBytes(100), randomBytes(5000)];
    const doc = await booted.root.collection('docs').create<Doc>({
      one: new File([one], 'one.bin'),
      many: many.map((bytes, index) => new File([bytes], `many${index}.bin`)),
    });
    const record = await guest.collection('docs_view').getOne<DocView>(doc.id);
    expect(record.attachment).toBe(doc.one);
    expect(record.files).toEqual(doc.many);

    const single = await download(guest.files.getURL(record, record.attachment));
    expect(single.status).toBe(200);
    expect(single.bytes.equals(one)).toBe(true);
    for (const [index, name] of record.files.entries()) {
      const served = await download(guest.files.getURL(record, name));
      expect(served.status).toBe(200);
      expect(served.bytes.equals(many[index] as Buffer)).toBe(true);
    }
    const nested = await guest.collection('docs_nested').getOne<DocView>(doc.id);
    const throughNested = await download(guest.files.getURL(nested, nested.files[1] as string));
    expect(throughNested.bytes.equals(many[1] as Buffer)).toBe(true);
  });

  it('serves a protected file through the view only with a file token', async () => {
    const doc = await booted.root.collection('docs').create<Doc>({ secret: new File(['top secret'], 'secret.txt') });
    const record = await booted.root.collection('docs_private').getOne<{ id: string; secret: string }>(doc.id);
    expect(record.secret).toBe(doc.secret);
    // The rule checked is the view's: it wants an auth, which a request without token lacks.
    expect((await download(booted.root.files.getURL(record, record.secret))).status).toBe(404);
    const token = await booted.root.files.getToken();
    const served = await download(booted.root.files.getURL(record, record.secret, { token }));
    expect(served.status).toBe(200);
    expect(served.bytes.toString()).toBe('top secret');
  });
});
