import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import fastifyMultipart from '@fastify/multipart';
import { isUploadedFile, type UploadedFile, uploadedFile } from '@hivebase/contracts';
import { ApiError, badRequest } from '@hivebase/platform';
import { SNIFF_BYTES, sniffContentType, storedFileName } from '@hivebase/storage';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The part name PocketBase (and its SDK) use for JSON serialised alongside form values. */
export const JSON_PAYLOAD_KEY = '@jsonPayload';

const LOAD_FAILED = 'An error occurred while loading the submitted data.';

/**
 * Reads `multipart/form-data` bodies the way PocketBase's `BindBody` does, so Nest controllers
 * get the same `@Body()` object as for JSON: text parts become keys (a repeated key becomes an
 * array), then every `@jsonPayload` part (a JSON object) is merged over them, later parts
 * winning per key. Text values stay strings: PocketBase infers `true`/numbers here, but the
 * record field types cast text already and string DTOs (passwords, usernames) must not change.
 * File parts stream to temporary files (removed once the response is sent), each sniffed and
 * named as PocketBase names uploads; they join the body as `UploadedFile` values under their part
 * name (see `mergeUploadedFiles`). The body limit (the route's, or a resolver's, see
 * `addBodyLimitResolver`) applies while streaming (413).
 */
export async function registerMultipartBody(fastify: FastifyInstance): Promise<void> {
  // Registered on the instance directly: Nest's adapter then sees the plugin as present and
  // never registers a second copy for its upload interceptors.
  await fastify.register(fastifyMultipart);
  fastify.addHook('preValidation', async (request, reply) => {
    if (!request.isMultipart()) return;
    request.body = await readMultipartBody(request, reply);
  });
  const cleanUp = async (request: FastifyRequest) => {
    const dir = uploadDirs.get(request);
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  fastify.addHook('onResponse', cleanUp);
  fastify.addHook('onRequestAbort', cleanUp);
}

/**
 * Gives a request its own body limit in bytes (`undefined`: the route's), for limits that
 * depend on data, like PocketBase's per-collection record limits. Called per multipart request.
 */
export type BodyLimitResolver = (request: FastifyRequest) => number | undefined;

const bodyLimitResolvers = new WeakMap<FastifyInstance, BodyLimitResolver[]>();

/** Adds a resolver on `fastify` (the first to answer wins); safe to call until requests arrive. */
export function addBodyLimitResolver(fastify: FastifyInstance, resolver: BodyLimitResolver): void {
  bodyLimitResolvers.set(fastify, [...(bodyLimitResolvers.get(fastify) ?? []), resolver]);
}

function bodyLimitOf(request: FastifyRequest): number {
  // A plugin's instance inherits from its parent's (Fastify's encapsulation): look up the chain.
  let resolvers: BodyLimitResolver[] | undefined;
  for (
    let instance: object | null = request.server;
    instance && !resolvers;
    instance = Object.getPrototypeOf(instance)
  ) {
    resolvers = bodyLimitResolvers.get(instance as FastifyInstance);
  }
  for (const resolver of resolvers ?? []) {
    const limit = resolver(request);
    if (limit !== undefined) return limit;
  }
  return request.routeOptions.bodyLimit;
}

/** Each request's temporary upload directory, removed when it ends. */
const uploadDirs = new WeakMap<FastifyRequest, string>();

/**
 * Puts uploads for `key` into `body` as PocketBase's record form merges them: under a plain key
 * they join the names already sent for it (`documents` = names to keep + new files); under a
 * modifier key (`+documents`, `documents+`) or a key with no value they stand alone.
 */
export function mergeUploadedFiles(body: Record<string, unknown>, key: string, files: UploadedFile[]): void {
  const plain = !key.startsWith('+') && !key.endsWith('+') && !key.endsWith('-');
  const sent = body[key];
  const kept =
    plain && sent !== undefined && sent !== null
      ? (Array.isArray(sent) ? sent : [sent]).filter((value) => typeof value === 'string' || isUploadedFile(value))
      : [];
  Object.defineProperty(body, key, {
    value: [...kept, ...files],
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Streams one file part to a temporary file, keeping only its first bytes for sniffing. */
async function saveUpload(request: FastifyRequest, part: MultipartFile): Promise<UploadedFile> {
  let dir = uploadDirs.get(request);
  if (!dir) {
    dir = await mkdtemp(join(tmpdir(), 'hb-upload-'));
    uploadDirs.set(request, dir);
  }
  const path = join(dir, String(uploadCounter++));
  const head: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (headLength < SNIFF_BYTES) {
        head.push(chunk.subarray(0, SNIFF_BYTES - headLength));
        headLength += Math.min(chunk.length, SNIFF_BYTES - headLength);
      }
      done(null, chunk);
    },
  });
  await pipeline(part.file, tap, createWriteStream(path));
  // The plugin ends a part cut at its size limit instead of failing it.
  if (part.file.truncated) throw new ApiError(413);
  const sniffed = await sniffContentType(Buffer.concat(head));
  return uploadedFile({
    originalName: part.filename,
    name: storedFileName(part.filename, sniffed.ext),
    path,
    size,
    contentType: sniffed.mime,
  });
}

let uploadCounter = 0;

async function readMultipartBody(request: FastifyRequest, reply: FastifyReply): Promise<Record<string, unknown>> {
  const limit = bodyLimitOf(request);
  if (Number(request.headers['content-length'] ?? 0) > limit) throw tooLarge(reply);

  const values = new Map<string, string[]>();
  const payloads: unknown[] = [];
  const files = new Map<string, UploadedFile[]>();
  let current: { destroy(): void } | undefined;

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
        current = part.file;
        const saving = saveUpload(request, part);
        saving.catch(() => undefined); // a body over the limit wins the race below
        const upload = await Promise.race([saving, exceeded]);
        files.set(part.fieldname, [...(files.get(part.fieldname) ?? []), upload]);
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
    current?.destroy(); // a part cut off mid-stream: close its temporary file
    const dir = uploadDirs.get(request);
    if (dir) await rm(dir, { recursive: true, force: true });
    if (error instanceof ApiError) throw error;
    // Malformed multipart (bad boundary, truncated parts), parser limits, unsafe field names.
    const status = (error as { statusCode?: unknown }).statusCode === 413 ? 413 : 400;
    throw new ApiError(status, status === 413 ? undefined : LOAD_FAILED, {}, { cause: error });
  } finally {
    raw.off('data', countBytes);
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
  for (const [key, list] of files) mergeUploadedFiles(body, key, list);
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
