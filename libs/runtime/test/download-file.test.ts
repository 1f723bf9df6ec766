import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadFileError, downloadFile, isRefusedAddress } from '../src/storage/download-file';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082',
  'hex',
);

let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/face.png') return void response.end(PNG);
    if (request.url === '/hop') return void response.writeHead(302, { location: '/face.png' }).end();
    if (request.url === '/loop') return void response.writeHead(302, { location: '/loop' }).end();
    if (request.url === '/big') return void response.end(Buffer.alloc(5000));
    if (request.url === '/big-chunked') {
      response.write(Buffer.alloc(3000));
      return void response.end(Buffer.alloc(3000));
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('isRefusedAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['::1', true],
    ['::', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['not an address', true],
    ['93.184.216.34', false],
    ['2606:2800:220:1::1', false],
  ])('%s → %s', (address, refused) => {
    expect(isRefusedAddress(address)).toBe(refused);
  });
});

describe('downloadFile', () => {
  const allowed = { maxSize: 4096, allowPrivate: true };

  it('downloads into a temporary file named after the URL, its type sniffed, and disposes of it', async () => {
    const { file, dispose } = await downloadFile(`${base}/hop`, allowed);
    expect(file).toMatchObject({ originalName: 'face.png', size: PNG.length, contentType: 'image/png' });
    expect(file.name).toMatch(/^face_[a-z0-9]{10}\.png$/);
    expect((await readFile(file.path)).equals(PNG)).toBe(true);
    await dispose();
    await expect(readFile(file.path)).rejects.toThrow();
  });

  it.each([
    ['a loopback literal', 'http://127.0.0.1:1/x.png'],
    ['a name resolving to loopback', 'http://localhost:1/x.png'],
    ['an IPv6 loopback literal', 'http://[::1]:1/x.png'],
    ['the metadata address', 'http://169.254.169.254/latest/meta-data'],
    ['another scheme', 'file:///etc/passwd'],
  ])('refuses %s unless private addresses are allowed', async (_name, url) => {
    await expect(downloadFile(url, { maxSize: 4096, allowPrivate: false })).rejects.toBeInstanceOf(DownloadFileError);
  });

  it('refuses the test server itself without the allowance (it is on loopback)', async () => {
    await expect(downloadFile(`${base}/face.png`, { maxSize: 4096, allowPrivate: false })).rejects.toThrow(
      /not allowed/,
    );
  });

  it.each([
    ['declared too large', '/big', /larger than 4096/],
    ['streamed too large', '/big-chunked', /larger than 4096/],
    ['an error answer', '/missing', /\(404\)/],
    ['a redirect loop', '/loop', /too many redirects/],
  ])('refuses %s', async (_name, path, message) => {
    await expect(downloadFile(`${base}${path}`, allowed)).rejects.toThrow(message);
  });
});
