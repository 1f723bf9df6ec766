import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unreadableBody } from './body-policy';
import { bindFormValues, JSON_PAYLOAD_KEY, parsePayload, registerMultipartBody } from './multipart-body';

/** The body did not read; `bodyOf` turns it into the route's answer. */
class Unreadable extends Error {
  constructor(
    readonly kind: 'malformed' | 'unsupported',
    options?: { cause?: unknown },
  ) {
    super(`${kind} request body`, options);
  }
}

/**
 * Reads request bodies as PocketBase's `BindBody` does, by the Content-Type's prefix as sent
 * (case-sensitive, as Go's `strings.HasPrefix`):
 * - `application/json`: the first JSON value, anything after it unread (Go's `json.Decoder`);
 *   `null` reads as no body; an array, string, number or boolean does not bind (400);
 * - `application/x-www-form-urlencoded`: as multipart text parts (a repeated key becomes a list,
 *   `@jsonPayload` objects merged over them);
 * - `multipart/form-data`: see `registerMultipartBody`;
 * - anything else with a body (text/plain, XML, none): 400, PocketBase's "Unsupported Content-Type."
 * Which message a failure gets depends on the route (see {@link BodyErrors}); it is thrown when
 * the body is read (see `failOnRead`). An empty body is never read. Needs the app's own parsers off (`createHttpApp`'s `bodyParser: false`).
 */
export async function registerRequestBody(fastify: FastifyInstance): Promise<void> {
  // Kept for JSON: it refuses `__proto__` and `constructor.prototype` keys (prototype pollution).
  const secureJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (request, payload, done) => {
    try {
      done(null, readBody(request.headers['content-type'] ?? '', payload as Buffer, secureJson));
    } catch (error) {
      if (!(error instanceof Unreadable)) return done(error as Error, undefined);
      const answer = unreadableBody(request, error.kind, error.cause);
      if (answer) unreadBodies.set(request, answer);
      done(null, undefined);
    }
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const answer = unreadBodies.get(request);
    if (answer) failOnRead(request, answer);
    done();
  });
  await registerMultipartBody(fastify);
  fastify.addHook('onReady', async () => {
    // Nest's own JSON parser (its default `bodyParser: true`) would take JSON bodies from this one.
    if (fastify.hasContentTypeParser('application/json')) {
      throw new Error('registerRequestBody needs createHttpApp({ bodyParser: false })');
    }
  });
}

/** Bodies that did not read, with the answer their route gives when its handler reads them. */
const unreadBodies = new WeakMap<FastifyRequest, Error>();

/**
 * PocketBase fails where a handler binds the body, after what it checks first (the collection,
 * the caller, whether a feature is on); a handler that never binds it never fails. So reading
 * `request.body` (Nest's `@Body()` too, after the guards) throws the route's answer, and a body
 * nobody reads is ignored. Assigning a body replaces the failure.
 */
function failOnRead(request: FastifyRequest, answer: Error): void {
  Object.defineProperty(request, 'body', {
    configurable: true,
    enumerable: true,
    get() {
      throw answer;
    },
    set(value: unknown) {
      Object.defineProperty(request, 'body', { value, configurable: true, enumerable: true, writable: true });
    },
  });
}

type JsonParser = ReturnType<FastifyInstance['getDefaultJsonParser']>;

function readBody(contentType: string, payload: Buffer, secureJson: JsonParser): unknown {
  if (contentType.startsWith('application/json')) return readJson(payload.toString('utf8'), secureJson);
  if (contentType.startsWith('application/x-www-form-urlencoded')) return readForm(payload.toString('latin1'));
  // Go decodes XML into the handler's struct; no Hivebase handler reads XML, so it never binds.
  if (contentType.startsWith('text/xml') || contentType.startsWith('application/xml')) {
    throw new Unreadable('malformed');
  }
  throw new Unreadable('unsupported');
}

const isJsonSpace = (char: string | undefined) => char === ' ' || char === '\t' || char === '\n' || char === '\r';

/** The first JSON value of `text` as the object PocketBase binds (`undefined` for `null`). */
function readJson(text: string, secureJson: JsonParser): unknown {
  let start = 0;
  while (isJsonSpace(text[start])) start++;
  // Go sets the body map to nil: no fields, as an empty body.
  if (text.startsWith('null', start)) return undefined;
  // Only an object binds into PocketBase's body map or a form struct.
  if (text[start] !== '{') throw new Unreadable('malformed');
  const end = endOfValue(text, start);
  if (end < 0) throw new Unreadable('malformed');
  let parsed: unknown;
  let failure: unknown;
  secureJson({} as FastifyRequest, text.slice(start, end), (error, value) => {
    failure = error;
    parsed = value;
  });
  if (failure) throw new Unreadable('malformed', { cause: failure });
  return parsed;
}

/**
 * Where the object or array opening at `start` ends (the index after its closing bracket), or -1
 * when the text ends first. Brackets inside strings do not count; whether the value is valid
 * JSON is left to the parser.
 */
function endOfValue(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{' || char === '[') {
      depth++;
    } else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * An `application/x-www-form-urlencoded` body as Go's `url.ParseQuery` reads it (`+` is a space;
 * a bad escape or a `;` fails the whole form), then bound as PocketBase binds form values.
 */
function readForm(text: string): Record<string, unknown> {
  const values = new Map<string, string[]>();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    if (pair.includes(';')) throw new Unreadable('malformed');
    const at = pair.indexOf('=');
    const key = unescapeForm(at < 0 ? pair : pair.slice(0, at));
    const value = unescapeForm(at < 0 ? '' : pair.slice(at + 1));
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  const payloads = (values.get(JSON_PAYLOAD_KEY) ?? []).map(parsePayload);
  values.delete(JSON_PAYLOAD_KEY);
  const body = bindFormValues(values, payloads);
  if (!body) throw new Unreadable('malformed');
  return body;
}

const BAD_ESCAPE = /%(?![0-9a-fA-F]{2})/;

function unescapeForm(text: string): string {
  if (BAD_ESCAPE.test(text)) throw new Unreadable('malformed');
  // The bytes as sent (read as latin1 above), then decoded as UTF-8 as Go's strings hold them.
  const bytes = Buffer.from(text.replaceAll('+', ' '), 'latin1');
  return Buffer.from(decodeURIComponentBytes(bytes)).toString('utf8');
}

/** Percent-decodes bytes (never throws: every escape was checked). */
function decodeURIComponentBytes(bytes: Buffer): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x25) {
      out.push(Number.parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16));
      i += 2;
    } else {
      out.push(bytes[i]);
    }
  }
  return Uint8Array.from(out);
}
