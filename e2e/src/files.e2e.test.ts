import { mkdtempSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type PocketBase from 'pocketbase';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthFixture, failure, SHAPE_NAMES, startAuthFixture } from './support/auth-fixture';

type Doc = { id: string; collectionId: string; one: string; many: string[]; images: string[]; secret: string };

// Every process of a shape reads and writes this directory (docs/files.md).
const storageDir = mkdtempSync(join(tmpdir(), 'hb-e2e-files-'));
process.env.HB_STORAGE_DIR = storageDir;
afterAll(() => rm(storageDir, { recursive: true, force: true }));

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .png()
    .toBuffer();

const MiB = 1024 * 1024;

/** A process' resident set in bytes (`VmRSS`), or its peak since the last reset (`VmHWM`). */
async function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  if (kib === undefined) throw new Error(`no ${field} for ${pid}`);
  return Number(kib) * 1024;
}

/**
 * Streams a multipart body of `size` bytes in one file or text part (chunked: no content-length,
 * so the server cannot refuse it up front) until the server answers; returns its status and body.
 */
function streamUpload(
  url: string,
  token: string,
  size: number,
  part: 'file' | 'text',
): Promise<{ status: number; body: string }> {
  const boundary = 'hb-e2e-boundary';
  const disposition =
    part === 'file' ? 'name="many"; filename="huge.bin"\r\ncontent-type: application/octet-stream' : 'name="title"';
  const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; ${disposition}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(MiB, 7);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: token },
    });
    req.on('response', (response) => {
      answered = true;
      let body = '';
      response.on('data', (data) => (body += data));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    // The server may close the connection under a body it refused; the answer came first.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    let sent = 0;
    const pump = () => {
      if (answered) return;
      if (sent === 0) req.write(head);
      while (sent < size && !answered) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end(tail);
    };
    pump();
  });
}

describe.each(SHAPE_NAMES)('record files through the SDK (%s)', (shape) => {
  let fixture: AuthFixture;
  let root: PocketBase;
  let baseUrl: string;

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${baseUrl}${path}`, { headers });
  const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());
  const urlOf = (record: Doc, name: string, options: Record<string, string> = {}) =>
    root.files.getURL(record, name, options).slice(baseUrl.length);

  beforeAll(async () => {
    fixture = await startAuthFixture(shape);
    root = fixture.root;
    baseUrl = fixture.running.baseUrl;
    await root.collections.create({
      name: 'docs',
      type: 'base',
      listRule: '',
      viewRule: 'secret = "" || @request.auth.id != ""',
      createRule: '',
      updateRule: '',
      deleteRule: '',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'one', type: 'file', maxSelect: 1, maxSize: 2000 },
        { name: 'many', type: 'file', maxSelect: 3 },
        { name: 'images', type: 'file', maxSelect: 2, mimeTypes: ['image/png', 'image/jpeg'], thumbs: ['50x0'] },
        { name: 'secret', type: 'file', maxSelect: 1, protected: true },
      ],
    });
  }, 120_000);

  afterAll(() => fixture?.stop());

  it('uploads a FormData and serves the exact bytes back, with PocketBase headers and ranges', async () => {
    const form = new FormData();
    form.append('title', 'a');
    form.append('one', new File(['hello files'], 'Hello World.txt'));
    const record = await root.collection('docs').create<Doc>(form);
    expect(record.one).toMatch(/^hello_world_[a-z0-9]{10}\.txt$/);

    const response = await get(urlOf(record, record.one));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hello files');
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename=${record.one}`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain('sandbox');
    const etag = response.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    expect(response.headers.get('last-modified')).not.toBeNull();
    expect((await get(urlOf(record, record.one), { 'if-none-match': etag })).status).toBe(304);

    const ranged = await get(urlOf(record, record.one), { range: 'bytes=6-10' });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('files');
    expect(ranged.headers.get('content-range')).toBe('bytes 6-10/11');
    expect((await get(urlOf(record, record.one), { range: 'bytes=50-60' })).status).toBe(416);
  });

  it('uploads a plain object holding a Blob, and thumbs a PNG to listed sizes only', async () => {
    const original = await png(300, 200);
    const record = await root
      .collection('docs')
      .create<Doc>({ title: 'img', images: [new File([original], 'photo.png')] });
    const name = record.images[0] as string;
    expect(name).toMatch(/^photo_[a-z0-9]{10}\.png$/);
    const served = await get(urlOf(record, name));
    expect(served.headers.get('content-disposition')).toBe(`inline; filename=${name}`);
    expect((await bytesOf(served)).equals(original)).toBe(true);

    const thumb = await get(urlOf(record, name, { thumb: '100x100' }));
    expect(thumb.status).toBe(200);
    expect(await sharp(await bytesOf(thumb)).metadata()).toMatchObject({ width: 100, height: 100, format: 'png' });
    const listed = await sharp(await bytesOf(await get(urlOf(record, name, { thumb: '50x0' })))).metadata();
    expect(listed).toMatchObject({ width: 50, height: 33 });
    // A size the field does not list (or an absurd one) serves the original.
    for (const size of ['200x200', '99999x99999', '../../x']) {
      const fallback = await get(urlOf(record, name, { thumb: size }));
      expect(fallback.status).toBe(200);
      expect((await bytesOf(fallback)).equals(original)).toBe(true);
    }
    // Served again from storage: the same bytes.
    const again = await bytesOf(await get(urlOf(record, name, { thumb: '100x100' })));
    expect(again.equals(await bytesOf(await get(urlOf(record, name, { thumb: '100x100' }))))).toBe(true);
  });

  it('appends with field+, removes with field-, replaces a single file and deletes the old ones', async () => {
    const created = await root.collection('docs').create<Doc>({
      one: new File(['first'], 'first.txt'),
      many: [new File(['a'], 'aaa.txt'), new File(['b'], 'bbb.txt')],
    });
    const [aaa, bbb] = created.many as [string, string];
    const updated = await root.collection('docs').update<Doc>(created.id, {
      one: new File(['second'], 'second.txt'),
      'many+': new File(['c'], 'ccc.txt'),
      'many-': [aaa],
    });
    expect(updated.many).toEqual([bbb, expect.stringMatching(/^ccc_/)]);
    expect(updated.one).toMatch(/^second_/);
    expect((await get(urlOf(created, created.one))).status).toBe(404);
    expect((await get(urlOf(created, aaa))).status).toBe(404);
    expect(await (await get(urlOf(updated, updated.one))).text()).toBe('second');

    await root.collection('docs').delete(created.id);
    for (const name of [updated.one, ...updated.many]) expect((await get(urlOf(updated, name))).status).toBe(404);
  });

  it('serves a protected file only with a file token that passes the view rule', async () => {
    const record = await root.collection('docs').create<Doc>({ secret: new File(['top secret'], 'secret.txt') });
    const guest = fixture.client();
    expect((await get(urlOf(record, record.secret))).status).toBe(404);
    expect((await failure(guest.files.getToken())).status).toBe(401);
    const token = await root.files.getToken();
    const withToken = await get(urlOf(record, record.secret, { token }));
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toBe('top secret');
    expect((await get(urlOf(record, record.secret, { token: `${token}x` }))).status).toBe(404);
  });

  it('answers every validation error with PocketBase codes, storing nothing', async () => {
    const refused = async (data: Record<string, unknown>) =>
      (await failure(root.collection('docs').create(data))).response.data;
    expect(await refused({ one: new File(['x'.repeat(2001)], 'big.txt') })).toMatchObject({
      one: { code: 'validation_file_size_limit' },
    });
    expect(await refused({ many: ['a', 'b', 'c', 'd'].map((n) => new File([n], `${n}${n}${n}.txt`)) })).toMatchObject({
      many: { code: 'validation_too_many_files' },
    });
    expect(await refused({ images: [new File(['<html><script>alert(1)</script>'], 'x.png')] })).toMatchObject({
      images: { code: 'validation_invalid_mime_type' },
    });
    expect(await refused({ one: 'not-mine.txt' })).toMatchObject({ one: { code: 'validation_invalid_file' } });
  });

  it('takes files in a batch as requests.N.field parts', async () => {
    await root.settings.update({ batch: { enabled: true, maxRequests: 10, timeout: 5, maxBodySize: 0 } });
    const batch = root.createBatch();
    batch.collection('docs').create({ title: 'b1', one: new File(['batch one'], 'b1.txt') });
    batch.collection('docs').create({ title: 'b2', many: [new File(['x'], 'xxx.txt'), new File(['y'], 'yyy.txt')] });
    const [first, second] = ((await batch.send()) as { body: Doc }[]).map((result) => result.body) as [Doc, Doc];
    expect(await (await get(urlOf(first, first.one))).text()).toBe('batch one');
    expect(second.many).toHaveLength(2);
  });

  it('refuses a 30 MB upload over the field limit (streamed to disk, then refused)', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const big = new Blob(Array.from({ length: 30 }, () => chunk));
    const error = await failure(root.collection('docs').create({ many: [new File([big], 'big.bin')] }));
    expect(error.status).toBe(400);
    expect(error.response.data).toMatchObject({ many: { code: 'validation_file_size_limit' } });
  });

  it('refuses a 100 MB upload while it streams, without buffering it (server RSS grows < 48 MB)', async () => {
    // The processes the body passes through: the one process, or the gateway and collections.
    const names = shape === 'standalone' ? ['standalone'] : ['gateway', 'collections'];
    const pids = names.map((name) => {
      const pid = fixture.running.processes[name]?.child.pid;
      if (pid === undefined) throw new Error(`no ${name} process`);
      return pid;
    });
    const url = `${baseUrl}/api/collections/docs/records`;
    const before = await Promise.all(pids.map((pid) => memoryOf(pid, 'VmRSS')));
    // Resets each process' peak resident set (VmHWM) to its current size (Linux clear_refs "5").
    await Promise.all(pids.map((pid) => writeFile(`/proc/${pid}/clear_refs`, '5')));
    const upload = (part: 'file' | 'text') =>
      streamUpload(url, root.authStore.token, 100 * MiB, part).catch((error) => {
        throw new Error(
          `${String(error)}\n${names.map((name) => fixture.running.processes[name]?.output()).join('\n')}`,
        );
      });
    // The file is cut off at the field's maxSize (5 MiB by default): the field's error.
    const file = await upload('file');
    expect({ ...file, body: JSON.parse(file.body) }).toMatchObject({
      status: 400,
      body: { status: 400, data: { many: { code: 'validation_file_size_limit' } } },
    });
    // Buffering the body would grow a process by its 100 MiB; streaming it grows one by the 5 MiB
    // kept plus socket buffers and garbage not yet collected, seen up to ~30 MiB on a busy machine.
    const peaks = await Promise.all(pids.map((pid) => memoryOf(pid, 'VmHWM')));
    pids.forEach((_pid, index) => {
      const grown = (peaks[index] as number) - (before[index] as number);
      expect(grown, `${names[index]} grew ${(grown / MiB).toFixed(1)} MiB`).toBeLessThan(48 * MiB);
    });

    // A text value is cut off at the collection's body limit (HB_BODY_LIMIT plus its fields'
    // weight): 413. (Text values are held in memory up to that limit, as JSON bodies are.)
    const text = await upload('text');
    expect({ ...text, body: JSON.parse(text.body) }).toMatchObject({ status: 413, body: { status: 413, data: {} } });

    // A declared length over the limit is refused before any of it is read.
    const declared = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: {
          'content-type': 'multipart/form-data; boundary=x',
          'content-length': String(100 * MiB),
          authorization: root.authStore.token,
        },
      });
      req.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('--x\r\n');
    });
    expect(declared).toBe(413);
    // The server is fine afterwards.
    expect((await get('/api/health')).status).toBe(200);
  });

  it('serves hostile content safely', async () => {
    // A PNG signature in front of HTML: stored and served as a PNG image, never as a page.
    const disguised = Buffer.concat([(await png(1, 1)).subarray(0, 33), Buffer.from('<html><script>1</script>')]);
    const record = await root.collection('docs').create<Doc>({
      one: new File([disguised], '../../../etc/passwd.html'),
      many: [new File(['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'], 'x.svg')],
    });
    expect(record.one).toMatch(/^passwd_[a-z0-9]{10}\.html$/);
    const html = await get(urlOf(record, record.one));
    expect(html.headers.get('content-type')).toBe('image/png');
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');
    const svg = await get(urlOf(record, record.many[0] as string));
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(svg.headers.get('content-security-policy')).toBe(
      "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
    );
    for (const path of [
      `/api/files/docs/${record.id}/..%2F..%2Fpackage.json`,
      `/api/files/docs/${record.id}/.attrs`,
      `/api/files/docs/..%2F${record.id}/${record.one}`,
      `/api/files/nope/${record.id}/${record.one}`,
      `/api/files/docs/${'a'.repeat(15)}/${record.one}`,
      `/api/files/docs/${record.id}/missing.txt`,
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ status: 404 });
    }
  });
});
