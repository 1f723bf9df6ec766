import SwaggerParser from '@apidevtools/swagger-parser';
import type { TestDatabase } from '@hivebase/platform/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

// The dashboard's two routes beyond PocketBase: the OpenAPI document of the live schema and the
// view query preview. Both for superusers only.

let database: TestDatabase;
let app: NestFastifyApplication;
let superuserToken: string;
let userToken: string;

// biome-ignore lint/suspicious/noExplicitAny: assertions walk an untyped JSON document
type Json = Record<string, any>;

async function call(method: 'GET' | 'POST', url: string, body?: unknown, token = superuserToken) {
  const response = await app.inject({
    method,
    url,
    headers: token ? { authorization: token } : {},
    ...(body === undefined ? {} : { payload: body as Json }),
  });
  return { status: response.statusCode, body: (response.body ? response.json() : {}) as Json };
}

beforeAll(async () => {
  ({ database, app } = await startCollectionsApp('openapi-test'));
  superuserToken = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  userToken = (await createAuthRecord(app, 'users', 'u@example.com')).token;
  const created = await call('POST', '/api/collections', {
    name: 'posts',
    type: 'base',
    listRule: '',
    viewRule: 'status = "published"',
    fields: [
      { name: 'title', type: 'text', required: true, max: 120, help: 'Shown in lists' },
      { name: 'status', type: 'select', values: ['draft', 'published'], maxSelect: 1 },
      { name: 'views', type: 'number', onlyInt: true, min: 0 },
      { name: 'secret', type: 'text', hidden: true },
      { name: 'cover', type: 'file', maxSelect: 1 },
      { name: 'tags', type: 'select', values: ['a', 'b'], maxSelect: 2 },
      { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      { name: 'where', type: 'geoPoint' },
      { name: 'created', type: 'autodate', onCreate: true },
    ],
  });
  expect(created.status).toBe(200);
  const view = await call('POST', '/api/collections', {
    name: 'titles',
    type: 'view',
    viewQuery: 'SELECT id, title FROM posts',
  });
  expect(view.status).toBe(200);
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe('GET /api/openapi.json', () => {
  it.each([
    ['a guest', '', 401],
    ['a users record', 'user', 403],
  ])('refuses %s', async (_who, which, status) => {
    const response = await call('GET', '/api/openapi.json', undefined, which && userToken);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ status, data: {} });
  });

  it("describes each collection's routes with their rules, from the live schema", async () => {
    const { status, body } = await call('GET', '/api/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const posts = body.paths['/api/collections/posts/records'];
    expect(Object.keys(posts).sort()).toEqual(['get', 'post']);
    expect(posts.get['x-hivebase-rule']).toBe('');
    expect(posts.post['x-hivebase-rule']).toBeNull();
    expect(posts.post.description).toBe('Superusers only (null rule).');
    expect(body.paths['/api/collections/posts/records/{id}'].get.description).toBe('Requires: status = "published"');
    expect(Object.keys(body.paths['/api/collections/posts/records/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    // A view: list and view only. An auth collection: its sign-in routes too.
    expect(Object.keys(body.paths['/api/collections/titles/records'])).toEqual(['get']);
    expect(Object.keys(body.paths['/api/collections/titles/records/{id}'])).toEqual(['get']);
    expect(
      body.paths['/api/collections/users/auth-with-password'].post.requestBody.content['application/json'].schema,
    ).toMatchObject({ required: ['identity', 'password'] });
    expect(body.paths['/api/collections/_superusers/auth-refresh']).toBeDefined();
    // System collections other than _superusers stay out.
    expect(Object.keys(body.paths).some((path) => path.includes('_externalAuths'))).toBe(false);
  });

  it('has per-collection response and request schemas: types, limits, hidden fields left out of answers', async () => {
    const { body } = await call('GET', '/api/openapi.json');
    const { schemas } = body.components;
    const record = schemas.postsRecord;
    expect(record.properties.title).toEqual({ type: 'string', maxLength: 120, description: 'Shown in lists' });
    expect(record.properties.status).toEqual({ type: 'string', enum: ['', 'draft', 'published'] });
    expect(record.properties.tags).toEqual({ type: 'array', items: { type: 'string', enum: ['a', 'b'] }, maxItems: 2 });
    expect(record.properties.views).toEqual({ type: 'integer', minimum: 0 });
    expect(record.properties.where.required).toEqual(['lon', 'lat']);
    expect(record.properties.created.readOnly).toBe(true);
    expect(record.properties.secret).toBeUndefined();
    expect(record.required).toContain('title');
    expect(schemas.postsList.properties.items.items).toEqual({ $ref: '#/components/schemas/postsRecord' });

    // JSON bodies carry no files; the multipart form does, with the + and - modifiers.
    expect(schemas.postsCreate.required).toEqual(['title']);
    expect(schemas.postsCreate.properties.cover).toBeUndefined();
    expect(schemas.postsCreate.properties.created).toBeUndefined();
    expect(schemas.postsCreate.properties.secret).toEqual({ type: 'string' });
    expect(schemas.postsUpdate.required).toBeUndefined();
    expect(schemas.postsCreateForm.properties.cover.contentMediaType).toBe('application/octet-stream');
    expect(schemas.postsUpdateForm.properties['cover-'].type).toBe('array');
    const create = body.paths['/api/collections/posts/records'].post.requestBody.content;
    expect(Object.keys(create).sort()).toEqual(['application/json', 'multipart/form-data']);

    // Auth records: no password in answers, password and passwordConfirm in a create body.
    expect(schemas.usersRecord.properties.password).toBeUndefined();
    expect(schemas.usersRecord.properties.tokenKey).toBeUndefined();
    expect(schemas.usersCreate.required).toEqual(expect.arrayContaining(['password', 'passwordConfirm']));
    expect(schemas.usersCreate.properties.password.writeOnly).toBe(true);
  });

  it('is a valid OpenAPI 3.1 document (its schema and every $ref)', async () => {
    const { body } = await call('GET', '/api/openapi.json');
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(body) as never)).resolves.toBeDefined();
  });

  it('follows schema changes', async () => {
    const added = await call('POST', '/api/collections', { name: 'later', type: 'base', fields: [] });
    expect(added.status).toBe(200);
    const { body } = await call('GET', '/api/openapi.json');
    expect(body.paths['/api/collections/later/records']).toBeDefined();
  });
});

describe('POST /api/collections/meta/view-preview', () => {
  it.each([
    ['a guest', '', 401],
    ['a users record', 'user', 403],
  ])('refuses %s', async (_who, which, status) => {
    const response = await call(
      'POST',
      '/api/collections/meta/view-preview',
      { query: 'SELECT 1 AS id' },
      which && userToken,
    );
    expect(response.status).toBe(status);
  });

  it('answers the fields the view would get and its first rows', async () => {
    await call('POST', '/api/collections/posts/records', { title: 'First', status: 'published' });
    const { status, body } = await call('POST', '/api/collections/meta/view-preview', {
      query: 'SELECT id, title, views + 1 AS next FROM posts;',
    });
    expect(status).toBe(200);
    expect(body.fields.map((field: Json) => [field.name, field.type])).toEqual([
      ['id', 'text'],
      ['title', 'text'],
      ['next', 'number'],
    ]);
    expect(body.items).toEqual([expect.objectContaining({ title: 'First', next: 1 })]);
  });

  it.each([
    ['no query', {}, 'Cannot be blank.'],
    ['a blank query', { query: '  ' }, 'Cannot be blank.'],
    ['a number', { query: 5 }, 'Cannot be blank.'],
    ['a write', { query: 'DELETE FROM posts' }, /^Invalid query - /],
    ['two statements', { query: 'SELECT id FROM posts; SELECT 1' }, /^Invalid query - /],
    ['an unknown column', { query: 'SELECT id, nope FROM posts' }, /^Invalid query - .*nope/],
    ['a syntax error', { query: 'SELECT id FROM' }, /^Invalid query - /],
    ['no id column', { query: 'SELECT title FROM posts' }, /^Invalid query - /],
    ['an escape from the subquery', { query: 'SELECT id FROM posts) AS x; DROP TABLE posts; --' }, /^Invalid query - /],
    ['a division by zero', { query: 'SELECT id, 1 / 0 AS boom FROM posts' }, /^Invalid query - /],
  ])('refuses %s with the error under "query"', async (_what, payload, message) => {
    const { status, body } = await call('POST', '/api/collections/meta/view-preview', payload);
    expect(status).toBe(400);
    expect(body.message).toBe('Failed to preview the view query.');
    expect(body.data.query.message).toMatch(message);
  });

  it('leaves the data alone (the preview runs read-only and is rolled back)', async () => {
    const { body } = await call('POST', '/api/collections/meta/view-preview', { query: 'SELECT id FROM posts' });
    expect(body.items).toHaveLength(1);
    const list = await call('GET', '/api/collections/posts/records');
    expect(list.body.totalItems).toBe(1);
  });
});
