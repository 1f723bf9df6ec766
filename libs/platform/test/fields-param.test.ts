import { Writable } from 'node:stream';
import { Controller, Get, Header, HttpCode, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badRequest } from '../src/errors/api-error';
import { createHttpApp } from '../src/http/create-http-app';
import { LoggingModule } from '../src/logging/logging.module';

const record = {
  id: 'r1',
  collectionName: 'posts',
  title: 'Hello',
  body: '<p>Hello <b>world</b>,</p>\n<p>this is   a long   post.</p>',
  expand: { author: { id: 'u1', name: 'Ann', email: 'ann@example.com' } },
};

@Controller('f')
class FieldsController {
  @Get('record')
  record() {
    return record;
  }
  @Get('list')
  list() {
    return { page: 1, perPage: 30, totalItems: 2, totalPages: 1, items: [record, { ...record, id: 'r2' }] };
  }
  @Get('array')
  array() {
    return [
      { date: '2024-01-01', total: 3 },
      { date: '2024-01-02', total: 5 },
    ];
  }
  @Post('create')
  create() {
    return record;
  }
  @Get('invalid')
  invalid() {
    throw badRequest('Failed to create record.', {
      title: { code: 'validation_required', message: 'Missing required value.' },
    });
  }
  @Get('text')
  @Header('content-type', 'text/plain; charset=utf-8')
  text() {
    return 'id,title';
  }
  @Get('empty')
  @HttpCode(204)
  empty() {}
}

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

@Module({
  imports: [LoggingModule.forRoot({ logLevel: 'info', logPretty: false }, 'test', quiet)],
  controllers: [FieldsController],
})
class FieldsModule {}

describe('the fields query parameter', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createHttpApp(FieldsModule, { config: { bodyLimit: 1024, shutdownTimeoutMs: 5_000 } });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  // Method, URL → status and exact (compact) body, as PocketBase's API scenarios read.
  it.each([
    ['GET', '/f/record?fields=id,title', 200, '{"id":"r1","title":"Hello"}'],
    ['GET', '/f/record?fields=id,expand.author.name', 200, '{"expand":{"author":{"name":"Ann"}},"id":"r1"}'],
    [
      'GET',
      '/f/record?fields=*,expand.author.id',
      200,
      '{"body":"<p>Hello <b>world</b>,</p>\\n<p>this is   a long   post.</p>","collectionName":"posts","expand":{"author":{"id":"u1"}},"id":"r1","title":"Hello"}',
    ],
    ['GET', '/f/record?fields=id,body:excerpt(20,true)', 200, '{"body":"Hello world, this is...","id":"r1"}'],
    ['GET', '/f/record?fields=body%3Aexcerpt(11)', 200, '{"body":"Hello world"}'],
    ['GET', '/f/record?fields=missing', 200, '{}'],
    ['GET', '/f/record?fields=id&fields=title', 200, '{"id":"r1"}'],
    [
      'GET',
      '/f/list?fields=id',
      200,
      '{"items":[{"id":"r1"},{"id":"r2"}],"page":1,"perPage":30,"totalItems":2,"totalPages":1}',
    ],
    [
      'GET',
      '/f/list?fields=id,expand.author.email',
      200,
      '{"items":[{"expand":{"author":{"email":"ann@example.com"}},"id":"r1"},{"expand":{"author":{"email":"ann@example.com"}},"id":"r2"}],"page":1,"perPage":30,"totalItems":2,"totalPages":1}',
    ],
    ['GET', '/f/array?fields=total', 200, '[{"total":3},{"total":5}]'],
    ['POST', '/f/create?fields=id', 201, '{"id":"r1"}'],
    ['GET', '/f/text?fields=id', 200, 'id,title'],
    ['GET', '/f/empty?fields=id', 204, ''],
  ])('%s %s → %i %s', async (method, url, status, body) => {
    const response = await app.inject({ method: method as 'GET' | 'POST', url });
    expect(response.statusCode).toBe(status);
    expect(response.body).toBe(body);
  });

  it.each(['/f/record', '/f/record?fields=', '/f/record?fields=,,,'])('leaves %s untouched', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.json()).toEqual(record);
    expect(Object.keys(response.json())).toEqual(Object.keys(record));
  });

  it('never trims an error response', async () => {
    const response = await app.inject({ method: 'GET', url: '/f/invalid?fields=status' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      data: { title: { code: 'validation_required', message: 'Missing required value.' } },
      message: 'Failed to create record.',
      status: 400,
    });
  });

  it('never trims a 404, even with a bad fields value', async () => {
    const response = await app.inject({ method: 'GET', url: '/no/such/route?fields=a:nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ data: {}, message: "The requested resource wasn't found.", status: 404 });
  });

  it.each([
    ['a:excerpt', 'invalid_modifier_arguments'],
    ['a:excerpt(0)', 'invalid_modifier_arguments'],
    ['a:nope(1)', 'invalid_modifier'],
    ['a:excerpt(3', 'unbalanced_expression'],
    ['a"b', 'unbalanced_expression'],
  ])('answers fields=%s with a PocketBase-shaped 400', async (fields, code) => {
    const response = await app.inject({ method: 'GET', url: '/f/list', query: { fields } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    const body = response.json();
    expect(Object.keys(body)).toEqual(['data', 'message', 'status']);
    expect(body).toMatchObject({
      data: { fields: { code: `validation_${code}` } },
      message: 'Invalid "fields" parameter.',
      status: 400,
    });
    expect(body.data.fields.message).toMatch(/^[A-Z].*\.$/);
  });
});
