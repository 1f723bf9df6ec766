import { type ApiErrorBody, DEFAULT_ERROR_MESSAGES, type ErrorData } from '@hivebase/contracts';

type KnownStatus = keyof typeof DEFAULT_ERROR_MESSAGES;

/** PocketBase's default message for a status, or its HTTP reason phrase as a sentence. */
export function defaultMessageFor(status: number): string {
  return DEFAULT_ERROR_MESSAGES[status as KnownStatus] ?? 'Something went wrong while processing your request.';
}

/**
 * An error meant for the client: its status, message and field data go out as they are.
 * `cause` is kept for logs only.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message?: string,
    readonly data: ErrorData = {},
    options?: { cause?: unknown },
  ) {
    super(message || defaultMessageFor(status), options);
    this.name = 'ApiError';
  }

  toBody(): ApiErrorBody | Record<string, unknown> {
    return { data: this.data, message: this.message, status: this.status };
  }
}

/**
 * A non-2xx answer whose body is not the error shape; PocketBase has one: MFA's first step,
 * 401 `{"mfaId": "…"}`. Thrown like any ApiError so the request stops where it is.
 */
export class ApiReply extends ApiError {
  constructor(
    status: number,
    private readonly body: Record<string, unknown>,
  ) {
    super(status);
    this.name = 'ApiReply';
  }

  override toBody(): Record<string, unknown> {
    return this.body;
  }
}

// Error factories carrying their status, named as PocketBase names them.
export const badRequest = (message?: string, data?: ErrorData) => new ApiError(400, message, data);
export const unauthorized = (message?: string) => new ApiError(401, message);
export const forbidden = (message?: string) => new ApiError(403, message);
export const notFound = (message?: string) => new ApiError(404, message);
export const tooManyRequests = (message?: string) => new ApiError(429, message);
