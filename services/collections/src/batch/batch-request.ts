import type { ErrorData, FieldError } from '@hivebase/contracts';
import { badRequest } from '@hivebase/platform';
import type { RecordWriteRequest } from '../records/records.service';

type Json = Record<string, unknown>;

/** One entry of `requests`, as PocketBase's `core.InternalRequest` binds it. */
export interface BatchRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Json;
}

/** What a sub-request's URL asks for: a record write and its own query parameters. */
export interface BatchAction {
  write: RecordWriteRequest;
  query: URLSearchParams;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const MAX_URL_BYTES = 2000;

// The only routes a batch may call, as PocketBase's ValidBatchActions (the URL as sent, query kept).
const UPSERT = /^PUT \/api\/collections\/([^/?]+)\/records(\?.*)?$/;
const CREATE = /^POST \/api\/collections\/([^/?]+)\/records(\?.*)?$/;
const UPDATE = /^PATCH \/api\/collections\/([^/?]+)\/records\/([^/?]+)(\?.*)?$/;
const DELETE = /^DELETE \/api\/collections\/([^/?]+)\/records\/([^/?]+)(\?.*)?$/;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const readFailed = () => badRequest('Failed to read the submitted batch data.');

// ozzo-validation's errors, sentenised as PocketBase answers them.
const required = (): FieldError => ({ code: 'validation_required', message: 'Cannot be blank.' });
const notIn = (): FieldError => ({ code: 'validation_in_invalid', message: 'Must be a valid value.' });
const tooLong = (max: number): FieldError => ({
  code: 'validation_length_too_long',
  message: `The length must be no more than ${max}.`,
  params: { min: 0, max },
});

/**
 * The batch body's `requests`, read and validated as PocketBase does: a value of the wrong JSON
 * type → 400 "Failed to read the submitted batch data."; no requests, more than `maxRequests`, or
 * an entry without a valid method or url → 400 "Invalid batch request data." with
 * `data.requests` (the list's error, or each entry's by index).
 */
export function parseBatchRequests(body: unknown, maxRequests: number): BatchRequest[] {
  const form = body ?? {};
  if (!isObject(form)) throw readFailed();
  const raw = form.requests ?? [];
  if (!Array.isArray(raw)) throw readFailed();
  const requests = raw.map(readRequest);
  const problem = requestsError(requests, maxRequests);
  if (problem) throw badRequest('Invalid batch request data.', { requests: problem });
  return requests;
}

function readRequest(value: unknown): BatchRequest {
  if (!isObject(value)) throw readFailed();
  return {
    method: stringOrThrow(value.method),
    url: stringOrThrow(value.url),
    headers: headersOrThrow(value.headers),
    body: bodyOrThrow(value.body),
  };
}

function stringOrThrow(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw readFailed();
  return value;
}

function headersOrThrow(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw readFailed();
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(value)) headers[name] = stringOrThrow(header);
  return headers;
}

function bodyOrThrow(value: unknown): Json {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw readFailed();
  return value;
}

function requestsError(requests: BatchRequest[], maxRequests: number): FieldError | ErrorData | null {
  if (requests.length === 0) return required();
  if (requests.length > maxRequests) return tooLong(maxRequests);
  const errors: ErrorData = {};
  requests.forEach((request, index) => {
    const entry: ErrorData = {};
    if (request.method === '') entry.method = required();
    else if (!METHODS.includes(request.method)) entry.method = notIn();
    if (request.url === '') entry.url = required();
    else if (Buffer.byteLength(request.url) > MAX_URL_BYTES) entry.url = tooLong(MAX_URL_BYTES);
    if (Object.keys(entry).length > 0) errors[String(index)] = entry;
  });
  return Object.keys(errors).length > 0 ? errors : null;
}

/** The record write a sub-request names, or null when its method and URL are not a batch route. */
export function matchBatchAction(request: BatchRequest): BatchAction | null {
  const line = `${request.method.toUpperCase()} ${request.url}`;
  const queryOf = (search: string | undefined) => new URLSearchParams(search?.slice(1) ?? '');
  let match = UPSERT.exec(line) ?? CREATE.exec(line);
  if (match) {
    const query = queryOf(match[2]);
    const action = line.startsWith('PUT ') ? 'upsert' : 'create';
    return { query, write: { action, collection: match[1], body: request.body, ...expandOf(query) } };
  }
  match = UPDATE.exec(line);
  if (match) {
    const query = queryOf(match[3]);
    return {
      query,
      write: { action: 'update', collection: match[1], id: match[2], body: request.body, ...expandOf(query) },
    };
  }
  match = DELETE.exec(line);
  if (match) return { query: queryOf(match[3]), write: { action: 'delete', collection: match[1], id: match[2] } };
  return null;
}

function expandOf(query: URLSearchParams): { expand?: string } {
  const expand = query.get('expand');
  return expand === null ? {} : { expand };
}
