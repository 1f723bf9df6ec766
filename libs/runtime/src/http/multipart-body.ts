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
import { unreadableBody } from './body-policy';

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
  // Callback hooks: they run on every request, and only a multipart one has anything to wait for.
  fastify.addHook('preValidation', (request, reply, done) => {
    if (!request.isMultipart()) {
      done();
      return;
    }
    readMultipartBody(request, reply).then((body) => {
      request.body = body;
      done();
    }, done);
  });
  const cleanUp = (request: FastifyRequest, done: (error?: Error) => void) => {
    const dir = uploadDirs.get(request);
    if (!dir) {
      done();
      return;
    }
    rm(dir, { recursive: true, force: true }).then(() => done(), done);
  };
  fastify.addHook('onResponse', (request, _reply, done) => cleanUp(request, done));
  fastify.addHook('onRequestAbort', (request, done) => cleanUp(request, done));
}

/** Limits for one request's multipart body, where they depend on data (PocketBase's record limits). */
export interface RequestBodyLimits {
  /** The whole body, in bytes. */
  body: number;
  /**
   * A file part's own limit by its part name, if it has one: past `maxSize` bytes reading stops
   * and `error()` answers (the rest of the body is never read, so little of it passes through).
   */
  file?(partName: string, fileName: string): { maxSize: number; error: () => Error } | undefined;
}

/** Gives a request its own limits (`undefined`: the route's body limit). */
export type BodyLimitResolver = (request: FastifyRequest) => RequestBodyLimits | undefined;

const bodyLimitResolvers = new WeakMap<FastifyInstance, BodyLimitResolver[]>();

/** Adds a resolver on `fastify` (the first to answer wins); safe to call until requests arrive. */
export function addBodyLimitResolver(fastify: FastifyInstance, resolver: BodyLimitResolver): void {
  bodyLimitResolvers.set(fastify, [...(bodyLimitResolvers.get(fastify) ?? []), resolver]);
}

function limitsOf(request: FastifyRequest): RequestBodyLimits {
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
    const limits = resolver(request);
    if (limits !== undefined) return limits;
  }
  return { body: request.routeOptions.bodyLimit };
}

/** A file part past its own limit: answered with the resolver's error, the rest left unread. */
class PartTooLarge extends Error {
  constructor(readonly answer: Error) {
    super('file part over its limit');
  }
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
async function saveUpload(
  request: FastifyRequest,
  part: MultipartFile,
  own?: { maxSize: number; error: () => Error },
): Promise<UploadedFile> {
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
      if (own && size > own.maxSize) return done(new PartTooLarge(own.error()));
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
  const limits = limitsOf(request);
  const limit = limits.body;
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
  exceeded.catch(() => undefined); // raced below; never a rejection of its own
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
    // A step left behind when the limit wins the race may still reject (the parser's own size
    // error): marked handled, or it would be an unhandled rejection that ends the process.
    const step = () => {
      const next = iterator.next();
      next.catch(() => undefined);
      return next;
    };
    let pending = step(); // pipes the request into the parser
    raw.on('data', countBytes);
    for (;;) {
      const next = await Promise.race([pending, exceeded]);
      if (next.done) break;
      pending = step();
      const part = next.value;
      if (!part.fieldname) continue; // unnamed parts are skipped, as Go's form reader does
      if (part.type === 'file') {
        current = part.file;
        const saving = saveUpload(request, part, limits.file?.(part.fieldname, part.filename));
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
    if (error instanceof PartTooLarge) {
      // The rest of the body is never read: close the connection rather than parse it as a request.
      closeUnread(reply);
      throw error.answer;
    }
    // Malformed multipart (bad boundary, truncated parts), parser limits, unsafe field names.
    if ((error as { statusCode?: unknown }).statusCode === 413)
      throw new ApiError(413, undefined, {}, { cause: error });
    throw unreadableBody(request, 'malformed', error) ?? new ApiError(400, LOAD_FAILED, {}, { cause: error });
  } finally {
    raw.off('data', countBytes);
  }

  const body = bindFormValues(values, payloads);
  if (!body) throw unreadableBody(request, 'malformed') ?? badRequest(LOAD_FAILED);
  for (const [key, list] of files) mergeUploadedFiles(body, key, list);
  return body;
}

/**
 * Form values bound as PocketBase's `UnmarshalRequestData` binds them into the body map: plain
 * values first (a repeated key becomes a list), then each `@jsonPayload` over them, in order.
 * `payloads` are parsed already (`parsePayload`); `null` when one is not a JSON object (Go cannot
 * unmarshal it into the map).
 */
export function bindFormValues(values: Map<string, string[]>, payloads: unknown[]): Record<string, unknown> | null {
  // Object.fromEntries defines own keys, so a `__proto__` key stays a plain key.
  const body: Record<string, unknown> = Object.fromEntries(
    [...values].map(([key, list]) => [key, list.length === 1 ? list[0] : list]),
  );
  for (const payload of payloads) {
    if (payload === INVALID || payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      return null;
    }
    for (const [key, value] of Object.entries(payload)) {
      Object.defineProperty(body, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return body;
}

// Parsing goes on after a bad payload, so the whole body is read before the 400 goes out.
const INVALID = Symbol('invalid JSON');

/** One `@jsonPayload` text parsed (a marker when it is not JSON, see `bindFormValues`). */
export function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

function tooLarge(reply: FastifyReply): ApiError {
  closeUnread(reply);
  return new ApiError(413);
}

/** How long a connection whose body was left unread stays half-open after the answer. */
const LINGER_MS = 2_000;

/**
 * The rest of the body is never read: the connection closes after the answer rather than parse
 * it as a request. Node would destroy the socket right after a `connection: close` answer, and
 * with request bytes still unread the kernel then resets the connection, which can make the
 * client (or the gateway) lose the answer it has not read yet. So the socket only half-closes
 * (its answer and a FIN go out) and is destroyed a moment later, while reading stays paused:
 * the sender blocks instead of filling memory (the lingering close Go's server does too).
 */
function closeUnread(reply: FastifyReply): void {
  reply.header('connection', 'close');
  const raw = reply.request.raw;
  raw.unpipe();
  raw.pause();
  const socket = raw.socket as (typeof raw.socket & { destroySoon?: () => void }) | null;
  if (!socket) return;
  socket.destroySoon = () => {
    if (socket.writable) socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}
