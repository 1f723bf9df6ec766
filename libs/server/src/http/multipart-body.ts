import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '../errors/api-error';

/** The part name PocketBase (and its SDK) use for JSON serialised alongside form values. */
export const JSON_PAYLOAD_KEY = '@jsonPayload';

const LOAD_FAILED = 'An error occurred while loading the submitted data.';

/**
 * Reads `multipart/form-data` bodies the way PocketBase's `BindBody` does, so Nest controllers
 * get the same `@Body()` object as for JSON: text parts become keys (a repeated key becomes an
 * array), then every `@jsonPayload` part (a JSON object) is merged over them, later parts
 * winning per key. Text values stay strings: PocketBase infers `true`/numbers here, but the
 * record field types cast text already and string DTOs (passwords, usernames) must not change.
 * File parts are refused (400) until file storage exists; the route's body limit applies (413).
 */
export async function registerMultipartBody(fastify: FastifyInstance): Promise<void> {
  // Registered on the instance directly: Nest's adapter then sees the plugin as present and
  // never registers a second copy for its upload interceptors.
  await fastify.register(fastifyMultipart);
  fastify.addHook('preValidation', async (request, reply) => {
    if (!request.isMultipart()) return;
    request.body = await readMultipartBody(request, reply);
  });
}

async function readMultipartBody(request: FastifyRequest, reply: FastifyReply): Promise<Record<string, unknown>> {
  const limit = request.routeOptions.bodyLimit;
  if (Number(request.headers['content-length'] ?? 0) > limit) throw tooLarge(reply);

  const values = new Map<string, string[]>();
  const payloads: unknown[] = [];
  const fileParts = new Set<string>();

  // The plugin does not count bytes: stop feeding the parser once the body passes the limit.
  const raw = request.raw;
  let received = 0;
  let overLimit: (error: ApiError) => void = () => {};
  const exceeded = new Promise<never>((_resolve, reject) => {
    overLimit = reject;
  });
  const countBytes = (chunk: Buffer) => {
    received += chunk.length;
    if (received > limit) {
      raw.off('data', countBytes);
      raw.unpipe();
      overLimit(tooLarge(reply));
    }
  };

  try {
    const parts = request.parts({
      limits: { fieldNameSize: limit, fieldSize: limit, fileSize: limit },
      // As Go's multipart reader: only a part with a non-empty filename is a file.
      isPartAFile: (_name, _contentType, fileName) => Boolean(fileName),
    });
    const iterator = parts[Symbol.asyncIterator]();
    let pending = iterator.next(); // pipes the request into the parser
    raw.on('data', countBytes);
    for (;;) {
      const next = await Promise.race([pending, exceeded]);
      if (next.done) break;
      pending = iterator.next();
      const part = next.value;
      if (!part.fieldname) continue; // unnamed parts are skipped, as Go's form reader does
      if (part.type === 'file') {
        fileParts.add(part.fieldname);
        part.file.resume(); // drain it so the following parts arrive
        continue;
      }
      // The plugin already parsed parts labelled application/json; others arrive as text.
      if (part.fieldname === JSON_PAYLOAD_KEY) {
        payloads.push(typeof part.value === 'string' ? parsePayload(part.value) : part.value);
        continue;
      }
      const text = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
      values.set(part.fieldname, [...(values.get(part.fieldname) ?? []), text]);
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    // Malformed multipart (bad boundary, truncated parts), parser limits, unsafe field names.
    const status = (error as { statusCode?: unknown }).statusCode === 413 ? 413 : 400;
    throw new ApiError(status, status === 413 ? undefined : LOAD_FAILED, {}, { cause: error });
  } finally {
    raw.off('data', countBytes);
  }

  if (fileParts.size > 0) {
    const data = Object.fromEntries(
      [...fileParts].map((name) => [
        name,
        { code: 'validation_file_uploads_unsupported', message: 'File uploads are not supported yet.' },
      ]),
    );
    throw badRequest(LOAD_FAILED, data);
  }

  // Plain values first, then the payloads over them, in order (PocketBase's order too).
  // Object.fromEntries defines own keys, so a `__proto__` key stays a plain key.
  const body: Record<string, unknown> = Object.fromEntries(
    [...values].map(([key, list]) => [key, list.length === 1 ? list[0] : list]),
  );
  for (const payload of payloads) {
    // Invalid JSON, or JSON that is not an object (Go cannot unmarshal it into the body map).
    if (payload === INVALID || payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw badRequest(LOAD_FAILED);
    }
    for (const [key, value] of Object.entries(payload)) {
      Object.defineProperty(body, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return body;
}

// Parsing goes on after a bad payload, so the whole body is read before the 400 goes out.
const INVALID = Symbol('invalid JSON');

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

function tooLarge(reply: FastifyReply): ApiError {
  // The rest of the body is never read: close the connection rather than parse it as a request.
  reply.header('connection', 'close');
  return new ApiError(413);
}
