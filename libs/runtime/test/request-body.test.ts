import { createHttpApp, LoggingModule } from '@hivebase/platform';
import { Body, Controller, ForbiddenException, HttpCode, Module, Post, Req } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_POLICIES, BodyErrors, bindFailed } from '../src/http/body-policy';
import { registerRequestBody } from '../src/http/request-body';

@Controller('t')
class EchoController {
  // No policy: PocketBase's record routes (`RequestInfo` fails first).
  @Post('default')
  @HttpCode(200)
  byDefault(@Body() body: unknown) {
    return { body: body ?? 'none' };
  }

  @Post('load')
  @HttpCode(200)
  @BodyErrors(BODY_POLICIES.loadFailed)
  load(@Body() body: unknown) {
    return { body: body ?? 'none' };
  }

  @Post('own')
  @HttpCode(200)
  @BodyErrors(bindFailed('Own message.'))
  own(@Body() body: unknown) {
    return { body: body ?? 'none' };
  }

  // Never reads its body: PocketBase's handlers that never bind one answer as usual.
  @Post('unread')
  @HttpCode(200)
  unread() {
    return { body: 'unread' };
  }

  // Reads its body in the handler, after its own check: that check answers first.
  @Post('late')
  @HttpCode(200)
  late(@Req() request: FastifyRequest) {
    if (request.headers['x-refuse']) throw new ForbiddenException();
    return { body: request.body ?? 'none' };
  }

  @Post('ignore')
  @HttpCode(200)
  @BodyErrors(BODY_POLICIES.ignore)
  ignore(@Body() body: unknown) {
    return { body: body ?? 'none' };
  }
}

@Module({
  imports: [LoggingModule.forRoot({ logLevel: 'silent', logPretty: false }, 'test')],
  controllers: [EchoController],
})
class TestModule {}

const GENERIC = 'Something went wrong while processing your request.';
const UNSUPPORTED = 'Unsupported Content-Type.';
const LOAD = 'An error occurred while loading the submitted data.';
const JSON_TYPE = 'application/json';
const FORM = 'application/x-www-form-urlencoded';

const refused = (message: string) => ({ status: 400, body: { data: {}, message, status: 400 } });
const bound = (body: unknown) => ({ status: 200, body: { body } });

describe('request bodies read as PocketBase binds them', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createHttpApp(TestModule, {
      config: { bodyLimit: 4096, shutdownTimeoutMs: 5_000 },
      bodyParser: false,
      configureFastify: registerRequestBody,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const post = async (url: string, payload: string, contentType?: string) => {
    const response = await app.inject({
      method: 'POST',
      url,
      payload,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
    });
    return { status: response.statusCode, body: response.json() };
  };

  it.each<[string, string, string | undefined, ReturnType<typeof bound>]>([
    ['an object', '{"a":1,"b":[true,null]}', JSON_TYPE, bound({ a: 1, b: [true, null] })],
    ['a charset parameter', '{"a":"ü"}', 'application/json; charset=utf-8', bound({ a: 'ü' })],
    ['whitespace around', ' \n\t{"a":1}\r\n ', JSON_TYPE, bound({ a: 1 })],
    // Go's json.Decoder reads one value and leaves the rest unread.
    ['data after the object', '{"a":1} and then some', JSON_TYPE, bound({ a: 1 })],
    ['a second object after the first', '{"a":1}{"a":2}', JSON_TYPE, bound({ a: 1 })],
    ['brackets inside strings', '{"a":"}{]["}tail', JSON_TYPE, bound({ a: '}{][' })],
    ['escaped quotes inside strings', '{"a":"x\\"}"}', JSON_TYPE, bound({ a: 'x"}' })],
    ['a repeated key (the last wins)', '{"a":1,"a":2}', JSON_TYPE, bound({ a: 2 })],
    ['null (no fields)', 'null', JSON_TYPE, bound('none')],
    ['null with data after it', 'null{', JSON_TYPE, bound('none')],
    ['a form', 'a=1&b=x+y%21&a=2&c', FORM, bound({ a: ['1', '2'], b: 'x y!', c: '' })],
    [
      'a form with a JSON payload over it',
      `a=1&%40jsonPayload=${encodeURIComponent('{"a":[1],"n":null}')}`,
      FORM,
      bound({ a: [1], n: null }),
    ],
    ['UTF-8 escapes in a form', 'name=%C3%BC%E2%82%AC', FORM, bound({ name: 'ü€' })],
    ['a `__proto__` form key (a plain key)', '__proto__=x', FORM, bound(JSON.parse('{"__proto__":"x"}'))],
  ])('binds %s', async (_case, payload, contentType, expected) => {
    expect(await post('/t/default', payload, contentType)).toEqual(expected);
  });

  it.each<[string, string, string | undefined, string]>([
    ['cut-off JSON', '{"a', JSON_TYPE, 'malformed'],
    ['invalid JSON inside the object', '{"a": nope}', JSON_TYPE, 'malformed'],
    ['an unclosed object followed by text', '{"a":1', JSON_TYPE, 'malformed'],
    ['a JSON array', '[{"a":1}]', JSON_TYPE, 'malformed'],
    ['a JSON string', '"a"', JSON_TYPE, 'malformed'],
    ['a JSON number', '12', JSON_TYPE, 'malformed'],
    ['a JSON boolean', 'true', JSON_TYPE, 'malformed'],
    ['a byte-order mark before the object', '\uFEFF{"a":1}', JSON_TYPE, 'malformed'],
    ['a `__proto__` key (prototype pollution)', '{"__proto__":{"admin":true}}', JSON_TYPE, 'malformed'],
    ['a `constructor.prototype` key', '{"constructor":{"prototype":{"admin":true}}}', JSON_TYPE, 'malformed'],
    ['only whitespace', '   ', JSON_TYPE, 'malformed'],
    ['a bad percent escape in a form', 'a=%zz', FORM, 'malformed'],
    ['a `;` in a form', 'a=1;b=2', FORM, 'malformed'],
    ['a form whose JSON payload is an array', `%40jsonPayload=${encodeURIComponent('[1]')}`, FORM, 'malformed'],
    ['a form whose JSON payload is no JSON', '%40jsonPayload=%7B', FORM, 'malformed'],
    ['an XML body', '<a>1</a>', 'application/xml', 'malformed'],
    ['a text body', '{"a":1}', 'text/plain', 'unsupported'],
    ['an octet stream', 'abc', 'application/octet-stream', 'unsupported'],
    // Go compares the header as sent.
    ['an upper-case JSON type', '{"a":1}', 'APPLICATION/JSON', 'unsupported'],
    ['a body with no Content-Type', '{"a":1}', undefined, 'unsupported'],
  ])('refuses %s', async (_case, payload, contentType, kind) => {
    const messages = {
      default: kind === 'malformed' ? GENERIC : UNSUPPORTED,
      load: kind === 'malformed' ? LOAD : UNSUPPORTED,
      own: 'Own message.',
    };
    for (const [route, message] of Object.entries(messages)) {
      expect(await post(`/t/${route}`, payload, contentType), route).toEqual(refused(message));
    }
    // A handler that never binds the body: it reads as none.
    expect(await post('/t/ignore', payload, contentType)).toEqual(bound('none'));
    expect(await post('/t/unread', payload, contentType)).toEqual(bound('unread'));
    expect(await post('/t/late', payload, contentType)).toEqual(refused(messages.default));
  });

  it('answers what a handler checks before reading the body first', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/t/late',
      payload: '{"',
      headers: { 'content-type': JSON_TYPE, 'x-refuse': '1' },
    });
    expect(response.statusCode).toBe(403);
  });

  it('reads an empty body as no body whatever its type', async () => {
    for (const type of [JSON_TYPE, 'text/plain', FORM, undefined]) {
      expect(await post('/t/load', '', type)).toEqual(bound('none'));
    }
  });

  it('keeps the body limit (413) for every type', async () => {
    const big = `{"a":"${'x'.repeat(5000)}"}`;
    for (const type of [JSON_TYPE, 'text/plain', FORM]) {
      expect((await post('/t/ignore', big, type)).status).toBe(413);
    }
  });

  it('survives deep nesting', async () => {
    const deep = `{"a":${'['.repeat(1500)}${']'.repeat(1500)}}`;
    expect((await post('/t/default', deep, JSON_TYPE)).status).toBe(200);
    expect(await post('/t/default', `{"a":${'['.repeat(2000)}`, JSON_TYPE)).toEqual(refused(GENERIC));
  });

  it('needs the app parsers off', async () => {
    const withNest = await createHttpApp(TestModule, {
      config: { bodyLimit: 4096, shutdownTimeoutMs: 5_000 },
      configureFastify: registerRequestBody,
    });
    await withNest.init();
    await expect(withNest.getHttpAdapter().getInstance().ready()).rejects.toThrow(/bodyParser: false/);
  });
});
