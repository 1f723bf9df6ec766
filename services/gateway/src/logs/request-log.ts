import { randomFillSync } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { pbDateTime } from '@hivebase/contracts';
import type { EdgeSettings } from '../edge/edge-settings';
import type { RequestIdentity } from '../edge/request-identity';

/** A row of `_logs` in PocketBase's shape. */
export interface LogEntry {
  id: string;
  /** PocketBase's date format, `2006-01-02 15:04:05.000Z`. */
  created: string;
  /** slog levels: -4 debug, 0 info, 4 warn, 8 error. */
  level: number;
  message: string;
  data: Record<string, unknown>;
}

export const LOG_LEVEL_INFO = 0;
export const LOG_LEVEL_ERROR = 8;
/** PocketBase's caps (v0.40): ~16 KB of serialised data unless `maxDataSize` says otherwise, 8000 message bytes. */
export const DEFAULT_MAX_LOG_DATA_SIZE = 16 << 10;
const MAX_MESSAGE_SIZE = 8000;

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

// Random bytes drawn in blocks: one call to the system's generator per few hundred ids rather
// than fifteen per id. Bytes ≥ 252 are skipped, so every character stays equally likely (252 = 7 × 36).
const randomBlock = Buffer.alloc(4096);
let randomAt = randomBlock.length;

function randomIndex(): number {
  for (;;) {
    if (randomAt === randomBlock.length) {
      randomFillSync(randomBlock);
      randomAt = 0;
    }
    const byte = randomBlock[randomAt++];
    if (byte < 252) return byte % ID_ALPHABET.length;
  }
}

// A log id starts with its millisecond in 8 base-36 digits (wrapping in 2059), then 7 random
// characters (36^7 ≈ 7.8e10 per millisecond). Time-ordered ids land on the right edge of `_logs`'
// primary key instead of a random leaf page: measured here, a fifth less Postgres CPU per row,
// and more as the table outgrows memory.
const TIME_DIGITS = 8;
const TIME_SPAN = 36 ** TIME_DIGITS;

/** A 15-character `[a-z0-9]` id, as PocketBase's; ids made later sort after earlier ones. */
export function newLogId(now = Date.now()): string {
  let id = (now % TIME_SPAN).toString(36).padStart(TIME_DIGITS, '0');
  for (let i = TIME_DIGITS; i < 15; i++) id += ID_ALPHABET[randomIndex()];
  return id;
}

/** PocketBase's cutStr: at most `max` characters, then `...`. */
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}...` : text);

// Query parameters whose values are credentials: file tokens, OAuth2 codes and states, and
// anything named like a password, secret or key. Their values never reach the logs.
const SECRET_PARAM = /token|code|state|secret|password|passwd|key|otp|signature|auth/i;
export const REDACTED = '[redacted]';

/** The request URI with the values of credential-like query parameters replaced. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const parts = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name.replaceAll('+', ' '));
      } catch {
        // an undecodable name is checked as it is
      }
      return SECRET_PARAM.test(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    });
  return `${url.slice(0, at)}?${parts.join('&')}`;
}

/** A failed response's PocketBase-shaped body: what the log's `error` and `details` carry. */
export interface ResponseError {
  message: string;
  data: unknown;
}

/** Error bodies larger than this are not read for the log (PocketBase's are a few hundred bytes). */
export const MAX_LOGGED_ERROR_BODY = 64 << 10;

/** The `{message, data}` of a failed response's body, when it is PocketBase's error shape. */
export function responseErrorOf(payload: unknown): ResponseError | undefined {
  let text: string;
  if (typeof payload === 'string') text = payload;
  else if (Buffer.isBuffer(payload)) text = payload.toString('utf8');
  else return undefined;
  if (text.length > MAX_LOGGED_ERROR_BODY || !text.startsWith('{')) return undefined;
  try {
    const body = JSON.parse(text) as { message?: unknown; data?: unknown };
    return typeof body.message === 'string' ? { message: body.message, data: body.data ?? {} } : undefined;
  } catch {
    return undefined;
  }
}

// Routes whose successes PocketBase does not log (SkipSuccessActivityLog): its logs API, the
// realtime stream, and the OAuth2 redirect (its URL carries the provider's code).
const SUCCESS_NOT_LOGGED = /^\/api\/(?:logs(?:\/|$)|realtime$|oauth2-redirect$)/;

/** True for a successful request PocketBase leaves out of its logs. */
export function skipsSuccessLog(method: string, path: string): boolean {
  if (!SUCCESS_NOT_LOGGED.test(path)) return false;
  return !path.startsWith('/api/realtime') || method === 'GET';
}

export interface FinishedRequest {
  method: string;
  /** The request URI (path and query) as the client sent it. */
  url: string;
  status: number;
  execTimeMs: number;
  referer: string;
  userAgent: string;
  userIP: string;
  remoteIP: string;
  identity: RequestIdentity | null;
  /** A failed response's body, when it could be read. */
  error?: ResponseError;
  now?: Date;
}

/**
 * The log entry of a finished request, as PocketBase's activity logger writes it; null when the
 * settings say not to keep it (logging off with `maxDays` 0, or under `minLevel`).
 */
export function requestLogEntry(settings: EdgeSettings['logs'], request: FinishedRequest): LogEntry | null {
  if (settings.maxDays === 0) return null;
  const failed = request.status >= 400;
  const level = failed ? LOG_LEVEL_ERROR : LOG_LEVEL_INFO;
  if (level < settings.minLevel) return null;
  const method = cut(request.method.toUpperCase(), 50);
  const url = cut(redactUrl(request.url), 3000);
  const data: Record<string, unknown> = {
    type: 'request',
    execTime: request.execTimeMs,
    url,
    method,
    status: request.status,
    referer: cut(redactUrl(request.referer), 2000),
    userAgent: cut(request.userAgent, 2000),
    auth: request.identity?.collectionName ?? '',
  };
  if (failed) {
    // As PocketBase: the API error's message, and its data as `details`.
    data.error =
      request.error?.message ?? (STATUS_CODES[request.status] ? `${STATUS_CODES[request.status]}.` : 'Request failed.');
    if (request.error) data.details = request.error.data;
  }
  if (request.identity && settings.logAuthId) data.authId = request.identity.recordId;
  if (settings.logIP) {
    data.userIP = request.userIP;
    data.remoteIP = request.remoteIP;
  }
  const now = request.now ?? new Date();
  let message = `${method} `;
  try {
    message += decodeURIComponent(url);
  } catch {
    message += url;
  }
  return {
    id: newLogId(now.getTime()),
    created: pbDateTime(now),
    level,
    message: Buffer.byteLength(message) > MAX_MESSAGE_SIZE ? message.slice(0, MAX_MESSAGE_SIZE) : message,
    data: truncateLogData(data, settings.maxDataSize),
  };
}

/**
 * PocketBase's (v0.40) cap on a log's data: over `maxDataSize` serialised bytes (0: about 16 KB),
 * only the attributes that fit whole are kept, and `__pb_truncated__: true` says so.
 */
export function truncateLogData(data: Record<string, unknown>, maxDataSize: number): Record<string, unknown> {
  const limit = maxDataSize > 0 ? maxDataSize : DEFAULT_MAX_LOG_DATA_SIZE;
  if (surelyFits(data, limit) || Buffer.byteLength(JSON.stringify(data)) <= limit) return data;
  const kept: Record<string, unknown> = {};
  let size = 2; // the braces
  for (const [key, value] of Object.entries(data)) {
    const entry = Buffer.byteLength(`${JSON.stringify(key)}:${JSON.stringify(value)}`) + 1;
    if (size + entry > limit) break;
    kept[key] = value;
    size += entry;
  }
  kept.__pb_truncated__ = true;
  return kept;
}

/**
 * True when `data`'s JSON cannot exceed `limit` bytes, judged without serialising it: flat
 * values only (a request's own log), every string counted at 6 bytes a character (`\u001f`),
 * every other value at 32 bytes (a number's longest text is 24). Anything nested is measured.
 */
function surelyFits(data: Record<string, unknown>, limit: number): boolean {
  let bound = 2;
  for (const key in data) {
    const value = data[key];
    bound += 6 * key.length + 4;
    if (typeof value === 'string') bound += 6 * value.length + 2;
    else if (typeof value === 'number' || typeof value === 'boolean' || value === null) bound += 32;
    else return false;
    if (bound > limit) return false;
  }
  return true;
}
