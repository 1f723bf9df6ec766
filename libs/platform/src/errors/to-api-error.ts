import { ClientError } from '@hivebase/contracts';
import { HttpException } from '@nestjs/common';
import { ApiError } from './api-error';

/**
 * Fastify's own errors that are the client's fault, by code. Body errors answer as PocketBase's
 * `BindBody` failing in a handler that passes its error on (`e.BadRequestError("", err)`), for
 * apps without the runtime's `registerRequestBody` (which answers per route).
 */
const FASTIFY_CLIENT_ERRORS: Record<string, { status: number; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 400, message: 'Unsupported Content-Type.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: 'Invalid Content-Length.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400 },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400 },
};

/**
 * Postgres cannot take more work right now: the pool waited too long for a connection, or the
 * server is at its connection limit or starting up. The request may succeed if retried.
 */
function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (code === '53300' || code === '57P03') return true;
  return error instanceof Error && error.message === 'timeout exceeded when trying to connect';
}

/**
 * Maps anything thrown while handling a request to an ApiError. The second value says whether
 * the error is the server's fault (logged with its cause; the client sees a generic 500).
 */
export function toApiError(error: unknown): { apiError: ApiError; internal: boolean } {
  if (error instanceof ApiError) return { apiError: error, internal: false };

  // A library's refusal of the client's input (a filter that does not parse, a record rule, …).
  if (error instanceof ClientError) {
    return {
      apiError: new ApiError(error.status, error.publicMessage, error.data, { cause: error }),
      internal: false,
    };
  }

  if (error instanceof HttpException) {
    const status = error.getStatus();
    // Nest's own texts ("Cannot GET /x") are not PocketBase's; use the default for the status.
    return { apiError: new ApiError(status, undefined, {}, { cause: error }), internal: status >= 500 };
  }

  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && code in FASTIFY_CLIENT_ERRORS) {
    const known = FASTIFY_CLIENT_ERRORS[code];
    return { apiError: new ApiError(known.status, known.message, {}, { cause: error }), internal: false };
  }

  // JSON syntax errors from body parsers and other 4xx errors that carry a statusCode.
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { apiError: new ApiError(statusCode, undefined, {}, { cause: error }), internal: false };
  }

  if (isDatabaseBusy(error)) {
    return {
      apiError: new ApiError(503, 'The server is busy, please try again later.', {}, { cause: error }),
      internal: true,
    };
  }

  return { apiError: new ApiError(500, undefined, {}, { cause: error }), internal: true };
}
