import { existsSync } from 'node:fs';
import { createHttpApp, LoggingModule, listen } from '@hivebase/platform';
import { Body, Controller, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerMultipartBody } from '../src/http/multipart-body';

@Controller()
class EchoController {
  @Post('t/echo')
  echo(@Body() body: unknown) {
    return { body };
  }
  // Where the SDK's batch sends its multipart request.
  @Post('api/batch')
  batch(@Body() body: unknown) {
    return { body };
  }
}

@Module({
  imports: [LoggingModule.forRoot({ logLevel: 'silent', logPretty: false }, 'test')],
  controllers: [EchoController],
})
class TestModule {}

const config = { bodyLimit: 1024, shutdownTimeoutMs: 5_000 };

type Entry = [name: string, value: string | Blob, fileName?: string];

/** Encodes a form as fetch would, boundary included. */
async function encode(entries: Entry[]): Promise<{ payload: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value, fileName] of entries) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, fileName);
  }
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get('content-type') ?? '',
  };
}

// The echo routes set no body policy: a body that does not bind gets the records API's answer.
const unreadable = { data: {}, message: 'Something went wrong while processing your request.', status: 400 };

describe('multipart/form-data bodies', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;

  beforeAll(async () => {
    app = await createHttpApp(TestModule, { config, configureFastify: registerMultipartBody });
    baseUrl = `http://127.0.0.1:${await listen(app, '127.0.0.1', 0)}`;
  });
  afterAll(() => app.close());

  const post = async (entries: Entry[]) => {
    const { payload, contentType } = await encode(entries);
    return app.inject({ method: 'POST', url: '/t/echo', headers: { 'content-type': contentType }, payload });
  };

  it.each<[string, Entry[], Record<string, unknown>]>([
    ['one payload', [['@jsonPayload', '{"title":"a","n":1,"tags":["x"]}']], { title: 'a', n: 1, tags: ['x'] }],
    [
      'several payloads, merged with later ones winning per key',
      [
        ['@jsonPayload', '{"a":1,"b":{"x":1}}'],
        ['@jsonPayload', '{"b":{"y":2},"c":null}'],
      ],
      { a: 1, b: { y: 2 }, c: null },
    ],
    [
      'a payload and text fields, the payload winning over a text field of the same name',
      [
        ['title', 'plain'],
        ['@jsonPayload', '{"meta":{"k":true},"title":"from json"}'],
        ['count', '12'],
        ['done', 'true'],
      ],
      { title: 'from json', meta: { k: true }, count: '12', done: 'true' },
    ],
    [
      'repeated text fields as an array',
      [
        ['tags', 'a'],
        ['tags', 'b'],
        ['tags', 'c'],
        ['one', ''],
      ],
      { tags: ['a', 'b', 'c'], one: '' },
    ],
    [
      'a key named __proto__ as a plain key',
      [['@jsonPayload', '{"__proto__":{"polluted":1}}']],
      { ['__proto__']: { polluted: 1 } },
    ],
  ])('reads %s', async (_name, entries, expected) => {
    const response = await post(entries);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ body: expected });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each<[string, Entry[]]>([
    ['an invalid JSON payload', [['@jsonPayload', '{"a":']]],
    ['a payload that is an array', [['@jsonPayload', '[1,2]']]],
    ['a payload that is a string', [['@jsonPayload', '"text"']]],
    ['a payload that is null', [['@jsonPayload', 'null']]],
    [
      'a bad payload after a good one',
      [
        ['@jsonPayload', '{"a":1}'],
        ['@jsonPayload', '1'],
      ],
    ],
  ])('answers %s with a 400', async (_name, entries) => {
    const response = await post(entries);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(unreadable);
  });

  it('streams file parts to temporary files, named and sniffed, after the names sent for the key', async () => {
    const response = await post([
      ['title', 'x'],
      ['avatar', new Blob(['png bytes'], { type: 'image/png' }), 'me.png'],
      ['docs', 'kept.txt'],
      ['docs', new Blob(['%PDF-1.4 x']), '../../a.pdf'],
    ]);
    expect(response.statusCode).toBe(201);
    const { body } = response.json() as { body: Record<string, Record<string, unknown>[]> };
    // The client's header says PNG; the content says text.
    expect(body.avatar).toEqual([
      {
        originalName: 'me.png',
        name: expect.stringMatching(/^me[a-z0-9]{10}_[a-z0-9]{10}\.png$/),
        path: expect.any(String),
        size: 9,
        contentType: 'text/plain; charset=utf-8',
      },
    ]);
    expect(body.docs).toEqual([
      'kept.txt',
      expect.objectContaining({
        name: expect.stringMatching(/^a[a-z0-9]{10}_[a-z0-9]{10}\.pdf$/),
        contentType: 'application/pdf',
      }),
    ]);
    // Removed once the response is out.
    await vi.waitFor(() => expect(existsSync(String(body.avatar?.[0]?.path))).toBe(false));
  });

  it('answers 413 for a file part over the body limit', async () => {
    const response = await post([['big', new Blob([Buffer.alloc(4096, 1)]), 'big.bin']]);
    expect(response.statusCode).toBe(413);
  });

  it('reads a payload part labelled application/json', async () => {
    const payload = [
      '--x',
      'Content-Disposition: form-data; name="@jsonPayload"',
      'Content-Type: application/json',
      '',
      '{"a":[1]}',
      '--x',
      'Content-Disposition: form-data; name="b"',
      '',
      'two',
      '--x--',
      '',
    ].join('\r\n');
    const headers = { 'content-type': 'multipart/form-data; boundary=x' };
    const response = await app.inject({ method: 'POST', url: '/t/echo', headers, payload });
    expect(response.json()).toEqual({ body: { a: [1], b: 'two' } });
  });

  it('reads a part with an empty filename as a text value, as Go does (an empty file input)', async () => {
    const response = await post([['avatar', new Blob([]), '']]);
    expect(response.json()).toEqual({ body: { avatar: '' } });
  });

  it('rejects a body over the limit (by its Content-Length) with a 413', async () => {
    const response = await post([['@jsonPayload', JSON.stringify({ big: 'x'.repeat(2048) })]]);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ data: {}, message: 'Request Entity Too Large.', status: 413 });
  });

  it('rejects a chunked body once it passes the limit', async () => {
    const { payload, contentType } = await encode([['a', 'x'.repeat(4096)]]);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < payload.length; at += 512) controller.enqueue(payload.subarray(at, at + 512));
        controller.close();
      },
    });
    const response = await fetch(`${baseUrl}/t/echo`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close'); // the unread rest is not parsed as a request
    expect(await response.json()).toMatchObject({ status: 413 });
  });

  it('cuts off a chunked file part past the limit without an unhandled rejection (that ended the process)', async () => {
    const head = Buffer.from(
      '--x\r\ncontent-disposition: form-data; name="f"; filename="big.bin"\r\ncontent-type: application/octet-stream\r\n\r\n',
    );
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(head);
        // One chunk passes both the body limit and the parser's file size limit at once.
        controller.enqueue(Buffer.alloc(64 * 1024, 1));
        controller.enqueue(Buffer.from('\r\n--x--\r\n'));
        controller.close();
      },
    });
    const response = await fetch(`${baseUrl}/t/echo`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    // Give a stray rejection its turn to surface (vitest fails the run on one), then ask again.
    await new Promise((done) => setImmediate(done));
    const after = await fetch(`${baseUrl}/t/echo`, { method: 'POST', body: new FormData() });
    expect(after.status).toBeLessThan(500);
  });

  it.each([
    ['no boundary', 'multipart/form-data', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n'],
    [
      'a boundary the body does not use',
      'multipart/form-data; boundary=other',
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
    ],
    ['a truncated body', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1'],
  ])('answers malformed multipart (%s) with a 400', async (_name, contentType, payload) => {
    const response = await app.inject({
      method: 'POST',
      url: '/t/echo',
      headers: { 'content-type': contentType },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ data: {}, status: 400 });
  });

  it('reads a form built as the SDK builds it (values as text, objects in @jsonPayload parts)', async () => {
    const pb = new PocketBase(baseUrl);
    // What the SDK's convertToFormDataIfNeeded makes of {title, count, tags, meta} (minus the file).
    const form = new FormData();
    form.append('title', 'hello');
    form.append('count', '3');
    form.append('@jsonPayload', JSON.stringify({ tags: ['a', 'b'] }));
    form.append('@jsonPayload', JSON.stringify({ meta: { nested: true } }));
    const response = await pb.send('/t/echo', { method: 'POST', body: form });
    expect(response).toEqual({ body: { title: 'hello', count: '3', tags: ['a', 'b'], meta: { nested: true } } });
  });

  it("reads the SDK's own FormData conversion of a plain object with a Blob", async () => {
    const pb = new PocketBase(baseUrl);
    const response = await pb.send('/t/echo', {
      method: 'POST',
      body: { title: 'x', tags: ['a'], avatar: new Blob(['x'], { type: 'image/png' }) },
    });
    expect(response).toMatchObject({
      body: { title: 'x', tags: ['a'], avatar: [expect.objectContaining({ originalName: 'blob', size: 1 })] },
    });
  });

  it("reads the SDK's batch request (@jsonPayload = {requests})", async () => {
    const pb = new PocketBase(baseUrl);
    const batch = pb.createBatch();
    batch.collection('posts').create({ title: 'a' });
    batch.collection('posts').delete('abc');
    const response = await batch.send();
    expect(response).toEqual({
      body: {
        requests: [
          { method: 'POST', url: '/api/collections/posts/records', body: { title: 'a' } },
          { method: 'DELETE', url: '/api/collections/posts/records/abc', body: {} },
        ],
      },
    });
  });

  it('still reads JSON bodies', async () => {
    const response = await app.inject({ method: 'POST', url: '/t/echo', payload: { a: 1 } });
    expect(response.json()).toEqual({ body: { a: 1 } });
  });
});
